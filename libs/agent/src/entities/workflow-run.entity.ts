import { BigIntColumn, IdColumn } from '@plue/db';
import {
  Check,
  Column,
  Entity,
  ForeignKey,
  Index,
  JoinColumn,
  ManyToOne,
  OneToMany,
  Unique,
  type Relation,
} from 'typeorm';
import { WorkflowDefinition } from './workflow-definition.entity';
import { WorkflowStep } from './workflow-step.entity';

export const WORKFLOW_RUN_STATUSES = [
  'queued',
  'running',
  'success',
  'failure',
  'cancelled',
  'skipped',
  'error',
] as const;
export type WorkflowRunStatus = (typeof WORKFLOW_RUN_STATUSES)[number];

export const WORKFLOW_TRIGGER_TYPES = [
  'push',
  'pull_request',
  'pull_request_review',
  'issue',
  'issue_comment',
  'chat',
  'manual',
  'schedule',
] as const;
export type WorkflowTriggerType = (typeof WORKFLOW_TRIGGER_TYPES)[number];

@Entity({
  name: 'workflow_runs',
  comment: 'Executions of workflow definitions, numbered per definition. Owner: agent-service.',
})
@Unique('workflow_runs_definition_id_run_number_key', ['definitionId', 'runNumber'])
// The definition must belong to the run's repository: a composite key onto (id, repo_id).
@ForeignKey(() => WorkflowDefinition, ['definitionId', 'repoId'], ['id', 'repoId'], {
  name: 'workflow_runs_definition_id_fkey',
  onDelete: 'NO ACTION',
})
@Index('workflow_runs_repo_id_created_at_idx', { synchronize: false }) // (repo_id, created_at DESC)
@Index('workflow_runs_active_idx', { synchronize: false }) // (created_at) WHERE status IN ('queued', 'running')
@Check('workflow_runs_run_number_check', `run_number > 0`)
@Check(
  'workflow_runs_trigger_type_check',
  `trigger_type IN ('push', 'pull_request', 'pull_request_review', 'issue', 'issue_comment', 'chat', 'manual', 'schedule')`,
)
@Check('workflow_runs_trigger_payload_check', `jsonb_typeof(trigger_payload) = 'object'`)
@Check('workflow_runs_ref_check', `char_length(ref) BETWEEN 1 AND 1024`)
@Check('workflow_runs_head_commit_id_check', `head_commit_id ~ '^([0-9a-f]{40}|[0-9a-f]{64})$'`)
@Check(
  'workflow_runs_status_check',
  `status IN ('queued', 'running', 'success', 'failure', 'cancelled', 'skipped', 'error')`,
)
@Check(
  'workflow_runs_completed_at_check',
  `(status IN ('success', 'failure', 'cancelled', 'skipped', 'error')) = (completed_at IS NOT NULL)`,
)
@Check('workflow_runs_started_at_check', `status <> 'running' OR started_at IS NOT NULL`)
export class WorkflowRun {
  @IdColumn()
  id!: number;

  @ForeignKey('Repository', { name: 'workflow_runs_repo_id_fkey', onDelete: 'CASCADE' })
  @BigIntColumn({ name: 'repo_id' })
  repoId!: number;

  @BigIntColumn({ name: 'definition_id' })
  definitionId!: number;

  /** Allocated per definition by a database trigger: omitted on insert. */
  @BigIntColumn({ name: 'run_number' })
  runNumber!: number;

  @Column({ name: 'trigger_type', type: 'text' })
  triggerType!: WorkflowTriggerType;

  @Column({ name: 'trigger_payload', type: 'jsonb', default: {} })
  triggerPayload!: Record<string, unknown>;

  /** The branch the run is for. */
  @Column({ name: 'ref', type: 'text', nullable: true })
  ref!: string | null;

  @Column({ name: 'head_commit_id', type: 'text', nullable: true })
  headCommitId!: string | null;

  @Column({ name: 'status', type: 'text', default: 'queued' })
  status!: WorkflowRunStatus;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;

  // The database key is the composite one declared on the class.
  @ManyToOne(() => WorkflowDefinition, (definition) => definition.runs, { createForeignKeyConstraints: false })
  @JoinColumn({ name: 'definition_id' })
  definition?: Relation<WorkflowDefinition>;

  @OneToMany(() => WorkflowStep, (step) => step.run)
  steps?: Relation<WorkflowStep[]>;
}
