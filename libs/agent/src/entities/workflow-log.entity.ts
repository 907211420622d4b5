import { BigIntColumn, IdColumn } from '@plue/db';
import { Check, Column, Entity, JoinColumn, ManyToOne, Unique, type Relation } from 'typeorm';
import { WorkflowStep } from './workflow-step.entity';

export const WORKFLOW_LOG_TYPES = ['stdout', 'stderr', 'system', 'token', 'tool_call', 'tool_result'] as const;
export type WorkflowLogType = (typeof WORKFLOW_LOG_TYPES)[number];

@Entity({
  name: 'workflow_logs',
  comment: 'Output of workflow steps, ordered by a per-step sequence. Owner: agent-service.',
})
@Unique('workflow_logs_step_id_sequence_key', ['stepId', 'sequence'])
@Check('workflow_logs_sequence_check', `sequence >= 0`)
@Check(
  'workflow_logs_log_type_check',
  `log_type IN ('stdout', 'stderr', 'system', 'token', 'tool_call', 'tool_result')`,
)
@Check('workflow_logs_content_check', `char_length(content) <= 1048576`)
export class WorkflowLog {
  @IdColumn()
  id!: number;

  @BigIntColumn({ name: 'step_id' })
  stepId!: number;

  /** Allocated per step (from 0, gapless) by a database trigger: omitted on insert. */
  @BigIntColumn({ name: 'sequence' })
  sequence!: number;

  @Column({ name: 'log_type', type: 'text', default: 'stdout' })
  logType!: WorkflowLogType;

  @Column({ name: 'content', type: 'text' })
  content!: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @ManyToOne(() => WorkflowStep, (step) => step.logs, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'step_id', foreignKeyConstraintName: 'workflow_logs_step_id_fkey' })
  step?: Relation<WorkflowStep>;
}
