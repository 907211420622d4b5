import { BigIntColumn, IdColumn } from '@plue/db';
import { Check, Column, Entity, Index, JoinColumn, ManyToOne, OneToMany, type Relation } from 'typeorm';
import { Part } from './part.entity';
import { Session } from './session.entity';

export const MESSAGE_ROLES = ['user', 'assistant', 'system', 'tool'] as const;
export type MessageRole = (typeof MESSAGE_ROLES)[number];

export const MESSAGE_STATUSES = ['pending', 'streaming', 'completed', 'failed', 'aborted'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

@Entity({
  name: 'messages',
  comment: 'Chat messages of agent sessions with token counters and cost. Owner: agent-service.',
})
@Index('messages_session_id_created_at_idx', ['sessionId', 'createdAt'])
@Check('messages_role_check', `role IN ('user', 'assistant', 'system', 'tool')`)
@Check('messages_status_check', `status IN ('pending', 'streaming', 'completed', 'failed', 'aborted')`)
@Check('messages_completed_at_check', `(status IN ('completed', 'failed', 'aborted')) = (completed_at IS NOT NULL)`)
@Check('messages_model_check', `char_length(model) <= 255`)
@Check(
  'messages_tokens_check',
  `input_tokens >= 0 AND output_tokens >= 0 AND reasoning_tokens >= 0 AND cache_read_tokens >= 0 AND cache_write_tokens >= 0`,
)
@Check('messages_cost_usd_check', `cost_usd >= 0`)
export class Message {
  @IdColumn()
  id!: number;

  @BigIntColumn({ name: 'session_id' })
  sessionId!: number;

  @Column({ name: 'role', type: 'text' })
  role!: MessageRole;

  @Column({ name: 'status', type: 'text', default: 'pending' })
  status!: MessageStatus;

  @Column({ name: 'model', type: 'text', nullable: true })
  model!: string | null;

  @BigIntColumn({ name: 'input_tokens', default: 0 })
  inputTokens!: number;

  @BigIntColumn({ name: 'output_tokens', default: 0 })
  outputTokens!: number;

  @BigIntColumn({ name: 'reasoning_tokens', default: 0 })
  reasoningTokens!: number;

  @BigIntColumn({ name: 'cache_read_tokens', default: 0 })
  cacheReadTokens!: number;

  @BigIntColumn({ name: 'cache_write_tokens', default: 0 })
  cacheWriteTokens!: number;

  /** US dollars as an exact decimal string (numeric(12,6)), e.g. "0.012500". */
  @Column({ name: 'cost_usd', type: 'numeric', precision: 12, scale: 6, default: 0 })
  costUsd!: string;

  @Column({ name: 'error', type: 'text', nullable: true })
  error!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;

  @ManyToOne(() => Session, (session) => session.messages, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'session_id', foreignKeyConstraintName: 'messages_session_id_fkey' })
  session?: Relation<Session>;

  @OneToMany(() => Part, (part) => part.message)
  parts?: Relation<Part[]>;
}
