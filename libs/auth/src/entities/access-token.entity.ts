import { BigIntColumn, IdColumn } from '@plue/db';
import { Check, Column, Entity, Index, JoinColumn, ManyToOne, Unique } from 'typeorm';
import { User } from './user.entity';

@Entity({
  name: 'access_tokens',
  comment: 'API tokens: SHA-256 hash, known scopes only, mandatory expiry. Owner: auth-service.',
})
@Unique('access_tokens_user_id_name_key', ['userId', 'name'])
@Unique('access_tokens_token_hash_key', ['tokenHash'])
@Check('access_tokens_name_check', `char_length(name) BETWEEN 1 AND 255 AND btrim(name) <> ''`)
@Check('access_tokens_token_hash_check', `token_hash ~ '^[0-9a-f]{64}$'`)
@Check('access_tokens_token_last_eight_check', `char_length(token_last_eight) = 8`)
@Check(
  'access_tokens_scopes_check',
  `cardinality(scopes) >= 1 AND array_position(scopes, NULL) IS NULL AND scopes <@ ARRAY['repo:read', 'repo:write', 'issue:read', 'issue:write', 'user:read', 'user:write', 'admin', 'workflow:read', 'workflow:write', 'agent:read', 'agent:write']::text[]`,
)
@Check('access_tokens_expires_at_check', `expires_at > created_at`)
export class AccessToken {
  @IdColumn()
  id!: number;

  @BigIntColumn({ name: 'user_id' })
  userId!: number;

  @Column({ name: 'name', type: 'text' })
  name!: string;

  @Column({
    name: 'token_hash',
    type: 'text',
    // A hash of a secret: left out of every read (find, hydrate) unless selected explicitly.
    select: false,
    comment: 'Lowercase hex SHA-256 of the token (secret: hidden from plue_readonly).',
  })
  tokenHash?: string;

  @Column({ name: 'token_last_eight', type: 'text' })
  tokenLastEight!: string;

  @Column({ name: 'scopes', type: 'text', array: true })
  scopes!: string[];

  @Index('access_tokens_expires_at_idx')
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @ManyToOne(() => User, (user) => user.accessTokens, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'access_tokens_user_id_fkey' })
  user?: User;
}
