import { isGlob, matchesGlob } from '@plue/globs';
import type { CollaboratorPermission } from './entities/collaborator.entity';
import type { CommitStatusState } from './entities/commit-status.entity';
import type { ProtectedBranch } from './entities/protected-branch.entity';
import { gitRefNameProblem } from './git-names';
import { permits } from './permissions';

/**
 * Why `ruleName` can never protect a branch, or null. A plain rule name must be a valid branch
 * name; a glob must become one when its wildcards are replaced by a letter (so `release/*` is
 * fine, `release/../*` is not).
 */
export function ruleNameProblem(ruleName: string): string | null {
  const problem = gitRefNameProblem(isGlob(ruleName) ? ruleName.replace(/[*?]/g, 'x') : ruleName);
  return problem && `is neither a branch name nor a glob of branch names: ${problem}`;
}

export type RuleCandidate = Pick<ProtectedBranch, 'id' | 'ruleName' | 'priority'>;

/**
 * The rule that protects `branchName`: the rule named exactly after the branch if there is one
 * (whatever its priority), otherwise the matching glob rule with the highest priority; among
 * globs of equal priority the oldest rule (lowest id) wins. Null when no rule matches.
 */
export function selectRule<Rule extends RuleCandidate>(rules: readonly Rule[], branchName: string): Rule | null {
  const exact = rules.find((rule) => rule.ruleName === branchName);
  if (exact) return exact;
  let best: Rule | null = null;
  for (const rule of rules) {
    if (!isGlob(rule.ruleName) || !matchesGlob(rule.ruleName, branchName)) continue;
    if (!best || rule.priority > best.priority || (rule.priority === best.priority && rule.id < best.id)) best = rule;
  }
  return best;
}

export type MergeRule = Pick<
  ProtectedBranch,
  | 'requiredApprovals'
  | 'dismissStaleApprovals'
  | 'blockOnRejectedReviews'
  | 'enableStatusCheck'
  | 'statusCheckContexts'
  | 'enableMergeAllowlist'
  | 'mergeAllowlistUserIds'
  | 'blockOnOutdatedBranch'
>;

/** What a merge is judged on: who gave which verdict (collaboration tells), permissions, head statuses. */
export interface MergeFacts {
  /** Reviewers whose current verdict approves the current head. */
  approverIds: readonly number[];
  /** Reviewers whose current verdict approves an older head. */
  staleApproverIds: readonly number[];
  /** Reviewers whose current verdict requests changes. */
  rejecterIds: readonly number[];
  mergerId: number;
  /** The permission on the repository of the merger and of each reviewer; a user left out has none. */
  permissions: ReadonlyMap<number, CollaboratorPermission | null>;
  /** The statuses of the head commit, one per context. */
  statuses: readonly { context: string; state: CommitStatusState }[];
  /** The head branch lacks commits of the base branch. */
  isOutdated: boolean;
}

export type MergeBlocker =
  | { code: 'no_merge_permission' }
  | { code: 'not_enough_approvals'; required: number; actual: number; ignoredApproverIds: number[] }
  | { code: 'rejected_reviews'; rejecterIds: number[] }
  | { code: 'status_check_not_successful'; context: string; state: CommitStatusState | 'missing' }
  | { code: 'no_status_checks' }
  | { code: 'not_in_merge_allowlist' }
  | { code: 'outdated_branch' };

export interface MergeDecision {
  allowed: boolean;
  blockers: MergeBlocker[];
}

/**
 * Whether a pull request may be merged into a branch protected by `rule` (null: unprotected).
 * Whatever the rule, only a user with write access to the repository may merge. Reviews count as
 * on GitHub and Gitea ("official" reviews): only reviewers with write access make up the required
 * approvals and only their change requests block, so a stranger can neither approve a change in
 * nor hold one back. Stale approvals count unless the rule dismisses them.
 * Required status checks: every listed context must have a `success` status; a rule that enables
 * status checks without listing contexts requires at least one status and all of them `success`.
 */
export function evaluateMerge(rule: MergeRule | null, facts: MergeFacts): MergeDecision {
  const blockers: MergeBlocker[] = [];
  const canWrite = (userId: number) => permits(facts.permissions.get(userId) ?? null, 'write');
  if (!canWrite(facts.mergerId)) blockers.push({ code: 'no_merge_permission' });
  if (!rule) return { allowed: blockers.length === 0, blockers };
  if (rule.enableMergeAllowlist && !rule.mergeAllowlistUserIds.includes(facts.mergerId)) {
    blockers.push({ code: 'not_in_merge_allowlist' });
  }
  const approverIds = ascending(
    rule.dismissStaleApprovals ? facts.approverIds : [...facts.approverIds, ...facts.staleApproverIds],
  );
  const actual = approverIds.filter(canWrite).length;
  if (actual < rule.requiredApprovals) {
    blockers.push({
      code: 'not_enough_approvals',
      required: rule.requiredApprovals,
      actual,
      ignoredApproverIds: approverIds.filter((userId) => !canWrite(userId)),
    });
  }
  const rejecterIds = ascending(facts.rejecterIds).filter(canWrite);
  if (rule.blockOnRejectedReviews && rejecterIds.length > 0) blockers.push({ code: 'rejected_reviews', rejecterIds });
  if (rule.enableStatusCheck) blockers.push(...statusCheckBlockers(rule.statusCheckContexts, facts.statuses));
  if (rule.blockOnOutdatedBranch && facts.isOutdated) blockers.push({ code: 'outdated_branch' });
  return { allowed: blockers.length === 0, blockers };
}

/** Distinct ids, ascending: a reviewer counts once, and replies list ids in a stable order. */
function ascending(userIds: readonly number[]): number[] {
  return [...new Set(userIds)].sort((a, b) => a - b);
}

function statusCheckBlockers(requiredContexts: readonly string[], statuses: MergeFacts['statuses']): MergeBlocker[] {
  if (requiredContexts.length === 0) {
    if (statuses.length === 0) return [{ code: 'no_status_checks' }];
    return statuses
      .filter((status) => status.state !== 'success')
      .map((status) => ({ code: 'status_check_not_successful', context: status.context, state: status.state }));
  }
  const stateByContext = new Map(statuses.map((status) => [status.context, status.state]));
  return requiredContexts.flatMap((context): MergeBlocker[] => {
    const state = stateByContext.get(context) ?? 'missing';
    return state === 'success' ? [] : [{ code: 'status_check_not_successful', context, state }];
  });
}
