import { BigIntColumn, IdColumn } from '@plue/db';
import { Check, Column, Entity, JoinColumn, ManyToOne, Unique, type Relation } from 'typeorm';
import { Message } from './message.entity';

export const PART_TYPES = ['text', 'reasoning', 'tool_call', 'tool_result', 'file'] as const;
export type PartType = (typeof PART_TYPES)[number];

@Entity({
  name: 'parts',
  comment: 'Ordered parts of a message: text, reasoning, tool calls and results, files. Owner: agent-service.',
})
@Unique('parts_message_id_sort_order_key', ['messageId', 'sortOrder'])
@Check('parts_type_check', `type IN ('text', 'reasoning', 'tool_call', 'tool_result', 'file')`)
@Check('parts_sort_order_check', `sort_order >= 0`)
@Check(
  'parts_tool_check',
  `(type NOT IN ('tool_call', 'tool_result') OR tool_call_id IS NOT NULL) AND (type <> 'tool_call' OR tool_name IS NOT NULL)`,
)
@Check('parts_tool_name_check', `char_length(tool_name) <= 255`)
@Check('parts_tool_call_id_check', `char_length(tool_call_id) <= 255`)
export class Part {
  @IdColumn()
  id!: number;

  @BigIntColumn({ name: 'message_id' })
  messageId!: number;

  @Column({ name: 'type', type: 'text' })
  type!: PartType;

  @Column({ name: 'sort_order', type: 'integer' })
  sortOrder!: number;

  @Column({ name: 'content', type: 'jsonb', default: {} })
  content!: Record<string, unknown>;

  @Column({ name: 'tool_name', type: 'text', nullable: true })
  toolName!: string | null;

  @Column({ name: 'tool_call_id', type: 'text', nullable: true })
  toolCallId!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;

  @ManyToOne(() => Message, (message) => message.parts, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'message_id', foreignKeyConstraintName: 'parts_message_id_fkey' })
  message?: Relation<Message>;
}
