import { BigIntColumn, IdColumn } from '@plue/db';
import { Check, Column, Entity, ForeignKey, Index, JoinColumn, ManyToOne, type Relation } from 'typeorm';
import { Message } from './message.entity';
import { Session } from './session.entity';

/** One row per LLM call. Rows outlive their user, session and message (accounting). */
@Entity({ name: 'llm_usage', comment: 'One row per LLM call: tokens and cost, for accounting. Owner: agent-service.' })
@Index('llm_usage_user_id_created_at_idx', ['userId', 'createdAt'])
@Index('llm_usage_session_id_idx', { synchronize: false }) // (session_id) WHERE session_id IS NOT NULL
@Index('llm_usage_message_id_idx', { synchronize: false }) // (message_id) WHERE message_id IS NOT NULL
@Check('llm_usage_model_check', `char_length(model) BETWEEN 1 AND 255`)
@Check('llm_usage_provider_check', `char_length(provider) BETWEEN 1 AND 255`)
@Check('llm_usage_tokens_check', `input_tokens >= 0 AND output_tokens >= 0`)
@Check('llm_usage_cost_usd_check', `cost_usd >= 0`)
export class LlmUsage {
  @IdColumn()
  id!: number;

  @ForeignKey('User', { name: 'llm_usage_user_id_fkey', onDelete: 'SET NULL' })
  @BigIntColumn({ name: 'user_id', nullable: true })
  userId!: number | null;

  @BigIntColumn({ name: 'session_id', nullable: true })
  sessionId!: number | null;

  @BigIntColumn({ name: 'message_id', nullable: true })
  messageId!: number | null;

  @Column({ name: 'model', type: 'text' })
  model!: string;

  @Column({ name: 'provider', type: 'text' })
  provider!: string;

  @BigIntColumn({ name: 'input_tokens', default: 0 })
  inputTokens!: number;

  @BigIntColumn({ name: 'output_tokens', default: 0 })
  outputTokens!: number;

  /** US dollars as an exact decimal string (numeric(12,6)). */
  @Column({ name: 'cost_usd', type: 'numeric', precision: 12, scale: 6, default: 0 })
  costUsd!: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @ManyToOne(() => Session, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'session_id', foreignKeyConstraintName: 'llm_usage_session_id_fkey' })
  session?: Relation<Session> | null;

  @ManyToOne(() => Message, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'message_id', foreignKeyConstraintName: 'llm_usage_message_id_fkey' })
  message?: Relation<Message> | null;
}
