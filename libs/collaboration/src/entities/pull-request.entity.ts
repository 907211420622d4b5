import { Check, Column, Entity, ForeignKey, Index, Unique } from 'typeorm';
import { BigIntColumn, IdColumn } from '@plue/db';
import { Issue } from './issue.entity';

export type PullRequestStatus = 'checking' | 'mergeable' | 'conflict' | 'empty' | 'error' | 'merged' | 'closed';
export type MergeStyle = 'merge' | 'rebase' | 'squash';

const GIT_OBJECT_ID = `'^([0-9a-f]{40}|[0-9a-f]{64})$'`;

/** The pull-request half of an issue (`issues.is_pull`); the base repository is the issue's repository. */
@Entity({
  name: 'pull_requests',
  comment:
    'Pull-request part of an issue: head/base branches, mergeability and merge result. Owner: collaboration-service.',
})
@Unique('pull_requests_issue_id_key', ['issueId'])
@ForeignKey(() => Issue, ['issueId', 'baseRepoId'], ['id', 'repoId'], {
  name: 'pull_requests_issue_id_fkey',
  onDelete: 'CASCADE',
})
@Index('pull_requests_base_repo_id_base_branch_idx', ['baseRepoId', 'baseBranch'])
@Index('pull_requests_head_repo_id_head_branch_idx', ['headRepoId', 'headBranch'], {
  where: 'head_repo_id IS NOT NULL',
})
@Index('pull_requests_merged_by_idx', ['mergedBy'], { where: 'merged_by IS NOT NULL' })
@Check('pull_requests_base_branch_check', 'is_valid_git_ref_name(base_branch)')
@Check('pull_requests_head_branch_check', 'is_valid_git_ref_name(head_branch)')
@Check('pull_requests_head_commit_id_check', `head_commit_id ~ ${GIT_OBJECT_ID}`)
@Check('pull_requests_merge_base_check', `merge_base ~ ${GIT_OBJECT_ID}`)
@Check('pull_requests_merged_commit_id_check', `merged_commit_id ~ ${GIT_OBJECT_ID}`)
@Check(
  'pull_requests_status_check',
  `status IN ('checking', 'mergeable', 'conflict', 'empty', 'error', 'merged', 'closed')`,
)
@Check('pull_requests_merge_style_check', `merge_style IN ('merge', 'rebase', 'squash')`)
@Check('pull_requests_has_merged_check', `has_merged = (status = 'merged') AND has_merged = (merged_at IS NOT NULL)`)
@Check(
  'pull_requests_merge_details_check',
  'NOT has_merged OR (merged_by IS NOT NULL AND merged_commit_id IS NOT NULL AND merge_style IS NOT NULL)',
)
@Check('pull_requests_branches_check', 'NOT (head_repo_id = base_repo_id AND head_branch = base_branch)')
export class PullRequest {
  @IdColumn()
  id!: number;

  @BigIntColumn({ name: 'issue_id' })
  issueId!: number;

  @BigIntColumn({ name: 'base_repo_id' })
  baseRepoId!: number;

  @Column({ name: 'base_branch', type: 'text' })
  baseBranch!: string;

  /** NULL once a fork that held the head branch is deleted. */
  @BigIntColumn({ name: 'head_repo_id', nullable: true })
  @ForeignKey('Repository', { name: 'pull_requests_head_repo_id_fkey', onDelete: 'SET NULL' })
  headRepoId!: number | null;

  @Column({ name: 'head_branch', type: 'text' })
  headBranch!: string;

  @Column({ name: 'head_commit_id', type: 'text', nullable: true })
  headCommitId!: string | null;

  @Column({ name: 'merge_base', type: 'text', nullable: true })
  mergeBase!: string | null;

  @Column({ name: 'status', type: 'text', default: 'checking' })
  status!: PullRequestStatus;

  @Column({ name: 'has_merged', type: 'boolean', default: false })
  hasMerged!: boolean;

  @Column({ name: 'merged_at', type: 'timestamptz', nullable: true })
  mergedAt!: Date | null;

  @BigIntColumn({ name: 'merged_by', nullable: true })
  @ForeignKey('User', { name: 'pull_requests_merged_by_fkey', onDelete: 'RESTRICT' })
  mergedBy!: number | null;

  @Column({ name: 'merged_commit_id', type: 'text', nullable: true })
  mergedCommitId!: string | null;

  @Column({ name: 'merge_style', type: 'text', nullable: true })
  mergeStyle!: MergeStyle | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
