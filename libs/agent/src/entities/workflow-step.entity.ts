import { BigIntColumn, IdColumn } from '@plue/db';
import { Check, Column, Entity, Index, JoinColumn, ManyToOne, OneToMany, Unique, type Relation } from 'typeorm';
import type { WorkflowStepConfig, WorkflowStepType } from '../workflow-plan';
import { Runner } from './runner.entity';
import { WorkflowLog } from './workflow-log.entity';
import { WorkflowRun } from './workflow-run.entity';

export const WORKFLOW_STEP_STATUSES = [
  'pending',
  'ready',
  'claimed',
  'running',
  'success',
  'failure',
  'skipped',
  'cancelled',
] as const;
export type WorkflowStepStatus = (typeof WORKFLOW_STEP_STATUSES)[number];

@Entity({
  name: 'workflow_steps',
  comment: 'Steps of a workflow run (nodes of the plan DAG) and their execution state. Owner: agent-service.',
})
@Unique('workflow_steps_run_id_step_key_key', ['runId', 'stepKey'])
@Index('workflow_steps_ready_idx', { synchronize: false }) // (created_at) WHERE status = 'ready'
@Index('workflow_steps_runner_id_idx', { synchronize: false }) // (runner_id) WHERE runner_id IS NOT NULL
@Check('workflow_steps_step_key_check', `char_length(step_key) BETWEEN 1 AND 255`)
@Check('workflow_steps_name_check', `char_length(name) BETWEEN 1 AND 255`)
@Check('workflow_steps_type_check', `type IN ('shell', 'llm', 'agent')`)
@Check('workflow_steps_config_check', `jsonb_typeof(config) = 'object'`)
@Check(
  'workflow_steps_depends_on_check',
  `array_position(depends_on, NULL) IS NULL AND NOT (step_key = ANY (depends_on))`,
)
@Check(
  'workflow_steps_status_check',
  `status IN ('pending', 'ready', 'claimed', 'running', 'success', 'failure', 'skipped', 'cancelled')`,
)
@Check(
  'workflow_steps_completed_at_check',
  `(status IN ('success', 'failure', 'skipped', 'cancelled')) = (completed_at IS NOT NULL)`,
)
@Check('workflow_steps_attempt_check', `attempt >= 0`)
@Check('workflow_steps_next_log_sequence_check', `next_log_sequence >= 0`)
export class WorkflowStep {
  @IdColumn()
  id!: number;

  @BigIntColumn({ name: 'run_id' })
  runId!: number;

  /** The step's id in the plan. */
  @Column({ name: 'step_key', type: 'text' })
  stepKey!: string;

  @Column({ name: 'name', type: 'text' })
  name!: string;

  @Column({ name: 'type', type: 'text' })
  type!: WorkflowStepType;

  /** The step's definition from the plan; shell steps hold an argv array, never a shell string. */
  @Column({ name: 'config', type: 'jsonb', default: {} })
  config!: WorkflowStepConfig;

  @Column({ name: 'depends_on', type: 'text', array: true, default: () => `'{}'` })
  dependsOn!: string[];

  @Column({ name: 'status', type: 'text', default: 'pending' })
  status!: WorkflowStepStatus;

  @BigIntColumn({ name: 'runner_id', nullable: true })
  runnerId!: number | null;

  @Column({ name: 'attempt', type: 'integer', default: 0 })
  attempt!: number;

  @Column({ name: 'exit_code', type: 'integer', nullable: true })
  exitCode!: number | null;

  @Column({ name: 'output', type: 'jsonb', nullable: true })
  output!: unknown;

  @Column({ name: 'error', type: 'text', nullable: true })
  error!: string | null;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;

  /** Per-step log sequence allocator, advanced by the database trigger on workflow_logs. */
  @BigIntColumn({ name: 'next_log_sequence', default: 0 })
  nextLogSequence!: number;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;

  @ManyToOne(() => WorkflowRun, (run) => run.steps, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'run_id', foreignKeyConstraintName: 'workflow_steps_run_id_fkey' })
  run?: Relation<WorkflowRun>;

  @ManyToOne(() => Runner, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'runner_id', foreignKeyConstraintName: 'workflow_steps_runner_id_fkey' })
  runner?: Relation<Runner> | null;

  @OneToMany(() => WorkflowLog, (log) => log.step)
  logs?: Relation<WorkflowLog[]>;
}
