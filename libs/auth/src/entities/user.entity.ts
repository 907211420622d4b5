import { IdColumn } from '@plue/db';
import { Check, Column, Entity, Index, OneToMany, Unique } from 'typeorm';
import type { AccessToken } from './access-token.entity';
import type { AuthSession } from './auth-session.entity';
import type { EmailAddress } from './email-address.entity';
import type { SshKey } from './ssh-key.entity';

@Entity({ name: 'users', comment: 'User accounts; usernames are unique case-insensitively. Owner: auth-service.' })
@Unique('users_wallet_address_key', ['walletAddress'])
// Expression indexes TypeORM cannot express: the schema builder must leave them alone.
@Index('users_lower_username_key', { synchronize: false })
@Index('users_lower_email_key', { synchronize: false })
@Check('users_username_check', `char_length(username) <= 39 AND username ~ '^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$'`)
@Check(
  'users_wallet_address_check',
  `wallet_address ~ '^0x[0-9a-fA-F]{40}$' AND wallet_address = lower(wallet_address)`,
)
@Check('users_email_check', `char_length(email) <= 254 AND email ~ '^[^@\\s]+@[^@\\s]+$'`)
@Check('users_display_name_check', `char_length(display_name) <= 255`)
@Check('users_bio_check', `char_length(bio) <= 1024`)
@Check('users_avatar_url_check', `char_length(avatar_url) <= 2048 AND avatar_url ~ '^(https?://|/)'`)
export class User {
  @IdColumn()
  id!: number;

  @Index('users_username_idx')
  @Column({ name: 'username', type: 'text' })
  username!: string;

  /** Lowercase `0x…` address; EIP-55 checksums are checked by the service before it gets here. */
  @Column({ name: 'wallet_address', type: 'text', nullable: true })
  walletAddress!: string | null;

  @Column({ name: 'email', type: 'text', nullable: true })
  email!: string | null;

  @Column({ name: 'display_name', type: 'text', nullable: true })
  displayName!: string | null;

  @Column({ name: 'bio', type: 'text', nullable: true })
  bio!: string | null;

  @Column({ name: 'avatar_url', type: 'text', nullable: true })
  avatarUrl!: string | null;

  @Column({ name: 'is_active', type: 'boolean', default: true })
  isActive!: boolean;

  @Column({ name: 'is_admin', type: 'boolean', default: false })
  isAdmin!: boolean;

  @Column({ name: 'prohibit_login', type: 'boolean', default: false })
  prohibitLogin!: boolean;

  @Column({ name: 'last_login_at', type: 'timestamptz', nullable: true })
  lastLoginAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;

  // String targets with type-only imports: the children import User, so a runtime import back would be a cycle.
  @OneToMany('EmailAddress', (emailAddress: EmailAddress) => emailAddress.user)
  emailAddresses?: EmailAddress[];

  @OneToMany('AuthSession', (session: AuthSession) => session.user)
  authSessions?: AuthSession[];

  @OneToMany('AccessToken', (token: AccessToken) => token.user)
  accessTokens?: AccessToken[];

  @OneToMany('SshKey', (key: SshKey) => key.user)
  sshKeys?: SshKey[];
}
