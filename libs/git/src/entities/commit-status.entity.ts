import { Check, Column, Entity, ForeignKey, Index, JoinColumn, ManyToOne, Unique, type Relation } from 'typeorm';
import { BigIntColumn, IdColumn } from '@plue/db';
import { Repository } from './repository.entity';

export type CommitStatusState = 'pending' | 'success' | 'failure' | 'error';

/** The latest status of one CI context on one commit (upserted per repository, commit and context). */
@Entity({
  name: 'commit_statuses',
  comment: 'CI statuses per commit and context (upserted); feed required status checks. Owner: git-service.',
})
@Unique('commit_statuses_repo_id_commit_sha_context_key', ['repoId', 'commitSha', 'context'])
// Partial indexes (WHERE ... IS NOT NULL): declared so the schema builder leaves them alone.
@Index('commit_statuses_creator_id_idx', { synchronize: false })
@Index('commit_statuses_workflow_run_id_idx', { synchronize: false })
@Check('commit_statuses_commit_sha_check', `commit_sha ~ '^([0-9a-f]{40}|[0-9a-f]{64})$'`)
@Check('commit_statuses_context_check', `char_length(context) BETWEEN 1 AND 255`)
@Check('commit_statuses_state_check', `state IN ('pending', 'success', 'failure', 'error')`)
@Check('commit_statuses_description_check', `char_length(description) <= 1024`)
@Check('commit_statuses_target_url_check', `char_length(target_url) <= 2048 AND target_url ~ '^(https?://|/)'`)
export class CommitStatus {
  @IdColumn()
  id!: number;

  @BigIntColumn({ name: 'repo_id' })
  repoId!: number;

  @ManyToOne(() => Repository, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'repo_id', foreignKeyConstraintName: 'commit_statuses_repo_id_fkey' })
  repository?: Relation<Repository>;

  @Column({ name: 'commit_sha', type: 'text' })
  commitSha!: string;

  @Column({ name: 'context', type: 'text', default: 'default' })
  context!: string;

  @Column({ name: 'state', type: 'text' })
  state!: CommitStatusState;

  @Column({ name: 'description', type: 'text', nullable: true })
  description!: string | null;

  @Column({ name: 'target_url', type: 'text', nullable: true })
  targetUrl!: string | null;

  @BigIntColumn({ name: 'creator_id', nullable: true })
  @ForeignKey('User', { name: 'commit_statuses_creator_id_fkey', onDelete: 'RESTRICT' })
  creatorId!: number | null;

  /** The agent domain's workflow run that reported this status, if any. */
  @BigIntColumn({ name: 'workflow_run_id', nullable: true })
  @ForeignKey('WorkflowRun', { name: 'commit_statuses_workflow_run_id_fkey', onDelete: 'SET NULL' })
  workflowRunId!: number | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
