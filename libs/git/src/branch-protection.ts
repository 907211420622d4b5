import { isGlob, matchesGlob } from '@plue/globs';
import type { CommitStatusState } from './entities/commit-status.entity';
import type { ProtectedBranch } from './entities/protected-branch.entity';
import { gitRefNameProblem } from './git-names';

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
  | 'blockOnRejectedReviews'
  | 'enableStatusCheck'
  | 'statusCheckContexts'
  | 'enableMergeAllowlist'
  | 'mergeAllowlistUserIds'
  | 'blockOnOutdatedBranch'
>;

/** What the merging side knows about the pull request (approvals are counted by collaboration). */
export interface MergeFacts {
  /** Approving reviews that count (collaboration applies dismiss_stale_approvals before counting). */
  approvals: number;
  hasRejectedReviews: boolean;
  /** The statuses of the head commit, one per context. */
  statuses: readonly { context: string; state: CommitStatusState }[];
  mergerId: number;
  /** The head branch lacks commits of the base branch. */
  isOutdated: boolean;
}

export type MergeBlocker =
  | { code: 'not_enough_approvals'; required: number; actual: number }
  | { code: 'rejected_reviews' }
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
 * Required status checks: every listed context must have a `success` status; a rule that enables
 * status checks without listing contexts requires at least one status and all of them `success`.
 */
export function evaluateMerge(rule: MergeRule | null, facts: MergeFacts): MergeDecision {
  const blockers: MergeBlocker[] = [];
  if (!rule) return { allowed: true, blockers };
  if (rule.enableMergeAllowlist && !rule.mergeAllowlistUserIds.includes(facts.mergerId)) {
    blockers.push({ code: 'not_in_merge_allowlist' });
  }
  if (facts.approvals < rule.requiredApprovals) {
    blockers.push({ code: 'not_enough_approvals', required: rule.requiredApprovals, actual: facts.approvals });
  }
  if (rule.blockOnRejectedReviews && facts.hasRejectedReviews) blockers.push({ code: 'rejected_reviews' });
  if (rule.enableStatusCheck) blockers.push(...statusCheckBlockers(rule.statusCheckContexts, facts.statuses));
  if (rule.blockOnOutdatedBranch && facts.isOutdated) blockers.push({ code: 'outdated_branch' });
  return { allowed: blockers.length === 0, blockers };
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
