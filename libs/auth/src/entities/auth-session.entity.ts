import { BigIntColumn, IdColumn } from '@plue/db';
import { Check, Column, Entity, Index, JoinColumn, ManyToOne, Unique } from 'typeorm';
import { User } from './user.entity';

@Entity({
  name: 'auth_sessions',
  comment: 'Cookie sessions, keyed by the SHA-256 of the cookie value. Owner: auth-service.',
})
@Unique('auth_sessions_session_key_key', ['sessionKey'])
@Check('auth_sessions_session_key_check', `session_key ~ '^[0-9a-f]{64}$'`)
@Check('auth_sessions_user_agent_check', `char_length(user_agent) <= 512`)
@Check('auth_sessions_expires_at_check', `expires_at > created_at`)
export class AuthSession {
  @IdColumn()
  id!: number;

  @Column({
    name: 'session_key',
    type: 'text',
    // A hash of a secret: left out of every read (find, hydrate) unless selected explicitly.
    select: false,
    comment: 'Lowercase hex SHA-256 of the session cookie value (secret: hidden from plue_readonly).',
  })
  sessionKey?: string;

  @Index('auth_sessions_user_id_idx')
  @BigIntColumn({ name: 'user_id' })
  userId!: number;

  @Index('auth_sessions_expires_at_idx')
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'user_agent', type: 'text', nullable: true })
  userAgent!: string | null;

  @Column({ name: 'ip', type: 'inet', nullable: true })
  ip!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'last_seen_at', type: 'timestamptz', default: () => 'now()' })
  lastSeenAt!: Date;

  @ManyToOne(() => User, (user) => user.authSessions, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'auth_sessions_user_id_fkey' })
  user?: User;
}
