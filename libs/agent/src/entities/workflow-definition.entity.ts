import { BigIntColumn, IdColumn } from '@plue/db';
import { Check, Column, Entity, ForeignKey, OneToMany, Unique, type Relation } from 'typeorm';
import type { WorkflowPlan } from '../workflow-plan';
import type { WorkflowTrigger } from '../workflow-triggers';
import { WorkflowRun } from './workflow-run.entity';

@Entity({
  name: 'workflow_definitions',
  comment: 'Workflow files of a repository: triggers and the step DAG (plan). Owner: agent-service.',
})
@Unique('workflow_definitions_repo_id_file_path_key', ['repoId', 'filePath'])
@Unique('workflow_definitions_id_repo_id_key', ['id', 'repoId'])
@Check('workflow_definitions_name_check', `char_length(name) BETWEEN 1 AND 255 AND btrim(name) <> ''`)
@Check(
  'workflow_definitions_file_path_check',
  `char_length(file_path) BETWEEN 1 AND 1024 AND file_path !~ '(^/|(^|/)\\.\\.(/|$))'`,
)
@Check('workflow_definitions_triggers_check', `jsonb_typeof(triggers) IN ('array', 'object')`)
@Check('workflow_definitions_plan_check', `jsonb_typeof(plan) = 'object'`)
@Check('workflow_definitions_content_hash_check', `content_hash ~ '^[0-9a-f]{64}$'`)
@Check('workflow_definitions_next_run_number_check', `next_run_number > 0`)
export class WorkflowDefinition {
  @IdColumn()
  id!: number;

  @ForeignKey('Repository', { name: 'workflow_definitions_repo_id_fkey', onDelete: 'CASCADE' })
  @BigIntColumn({ name: 'repo_id' })
  repoId!: number;

  @Column({ name: 'name', type: 'text' })
  name!: string;

  /** Path of the workflow file in the repository. */
  @Column({ name: 'file_path', type: 'text' })
  filePath!: string;

  /** Written as an array by this lib; the column also admits a single object. */
  @Column({ name: 'triggers', type: 'jsonb', default: [] })
  triggers!: WorkflowTrigger[];

  @Column({ name: 'plan', type: 'jsonb', default: {} })
  plan!: WorkflowPlan;

  /** SHA-256 of the file content, lowercase hex. */
  @Column({ name: 'content_hash', type: 'text' })
  contentHash!: string;

  @Column({ name: 'is_active', type: 'boolean', default: true })
  isActive!: boolean;

  /** Advanced by the database trigger that numbers workflow_runs; never written by the DAOs. */
  @BigIntColumn({ name: 'next_run_number', default: 1 })
  nextRunNumber!: number;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;

  @OneToMany(() => WorkflowRun, (run) => run.definition)
  runs?: Relation<WorkflowRun[]>;
}
