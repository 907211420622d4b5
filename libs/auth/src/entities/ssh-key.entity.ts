import { BigIntColumn, IdColumn } from '@plue/db';
import { Check, Column, Entity, JoinColumn, ManyToOne, Unique } from 'typeorm';
import { User } from './user.entity';

@Entity({
  name: 'ssh_keys',
  comment: 'SSH public keys of users; fingerprints are unique across users. Owner: auth-service.',
})
@Unique('ssh_keys_user_id_name_key', ['userId', 'name'])
@Unique('ssh_keys_fingerprint_key', ['fingerprint'])
@Check('ssh_keys_name_check', `char_length(name) BETWEEN 1 AND 255 AND btrim(name) <> ''`)
@Check('ssh_keys_fingerprint_check', `fingerprint ~ '^SHA256:[A-Za-z0-9+/]{43}$'`)
@Check('ssh_keys_public_key_check', `char_length(public_key) BETWEEN 1 AND 16384`)
@Check(
  'ssh_keys_key_type_check',
  `key_type IN ('ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'ssh-rsa')`,
)
export class SshKey {
  @IdColumn()
  id!: number;

  @BigIntColumn({ name: 'user_id' })
  userId!: number;

  @Column({ name: 'name', type: 'text' })
  name!: string;

  /** `SHA256:` + unpadded base64, exactly as `ssh-keygen -l` prints it. */
  @Column({ name: 'fingerprint', type: 'text' })
  fingerprint!: string;

  /** The normalised OpenSSH line: `<type> <base64 blob>[ <comment>]`. */
  @Column({ name: 'public_key', type: 'text' })
  publicKey!: string;

  @Column({ name: 'key_type', type: 'text' })
  keyType!: string;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @ManyToOne(() => User, (user) => user.sshKeys, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'ssh_keys_user_id_fkey' })
  user?: User;
}
