import { Check, Column, Entity, JoinColumn, ManyToOne, Unique, type Relation } from 'typeorm';
import { BigIntArrayColumn, BigIntColumn, IdColumn } from '@plue/db';
import { Repository } from './repository.entity';

/**
 * A branch protection rule. `rule_name` is a branch name or a glob; see branch-protection.ts for
 * how the rule of a branch is chosen. Allowlists hold user ids (arrays: no foreign key possible).
 */
@Entity({
  name: 'protected_branches',
  comment:
    'Branch protection rules (name or glob) with push/merge allowlists and merge requirements. Owner: git-service.',
})
@Unique('protected_branches_repo_id_rule_name_key', ['repoId', 'ruleName'])
@Check(
  'protected_branches_rule_name_check',
  `char_length(rule_name) BETWEEN 1 AND 255 AND rule_name !~ '[[:cntrl:][:space:]]'`,
)
@Check('protected_branches_priority_check', `priority >= 0`)
@Check('protected_branches_required_approvals_check', `required_approvals >= 0`)
@Check(
  'protected_branches_allowlists_check',
  `array_position(push_allowlist_user_ids, NULL) IS NULL AND array_position(force_push_allowlist_user_ids, NULL) IS NULL AND array_position(merge_allowlist_user_ids, NULL) IS NULL AND array_position(status_check_contexts, NULL) IS NULL`,
)
export class ProtectedBranch {
  @IdColumn()
  id!: number;

  @BigIntColumn({ name: 'repo_id' })
  repoId!: number;

  @ManyToOne(() => Repository, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'repo_id', foreignKeyConstraintName: 'protected_branches_repo_id_fkey' })
  repository?: Relation<Repository>;

  @Column({ name: 'rule_name', type: 'text' })
  ruleName!: string;

  @Column({ name: 'priority', type: 'integer', default: 0 })
  priority!: number;

  @Column({ name: 'can_push', type: 'boolean', default: false })
  canPush!: boolean;

  @Column({ name: 'enable_push_allowlist', type: 'boolean', default: false })
  enablePushAllowlist!: boolean;

  @BigIntArrayColumn({ name: 'push_allowlist_user_ids', default: () => "'{}'" })
  pushAllowlistUserIds!: number[];

  @Column({ name: 'can_force_push', type: 'boolean', default: false })
  canForcePush!: boolean;

  @Column({ name: 'enable_force_push_allowlist', type: 'boolean', default: false })
  enableForcePushAllowlist!: boolean;

  @BigIntArrayColumn({ name: 'force_push_allowlist_user_ids', default: () => "'{}'" })
  forcePushAllowlistUserIds!: number[];

  @Column({ name: 'enable_merge_allowlist', type: 'boolean', default: false })
  enableMergeAllowlist!: boolean;

  @BigIntArrayColumn({ name: 'merge_allowlist_user_ids', default: () => "'{}'" })
  mergeAllowlistUserIds!: number[];

  @Column({ name: 'required_approvals', type: 'integer', default: 0 })
  requiredApprovals!: number;

  @Column({ name: 'enable_status_check', type: 'boolean', default: false })
  enableStatusCheck!: boolean;

  @Column({ name: 'status_check_contexts', type: 'text', array: true, default: () => "'{}'" })
  statusCheckContexts!: string[];

  @Column({ name: 'block_on_rejected_reviews', type: 'boolean', default: false })
  blockOnRejectedReviews!: boolean;

  @Column({ name: 'block_on_outdated_branch', type: 'boolean', default: false })
  blockOnOutdatedBranch!: boolean;

  @Column({ name: 'dismiss_stale_approvals', type: 'boolean', default: false })
  dismissStaleApprovals!: boolean;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
