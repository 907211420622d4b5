import {
  evaluateMerge,
  ruleNameProblem,
  selectRule,
  type CollaboratorPermission,
  type MergeFacts,
  type MergeRule,
} from '@plue/git';

describe('rule names', () => {
  it.each(['main', 'release/*', 'release/**', '*', 'v?.*', 'feature/{x}'])('accepts %s', (name) => {
    expect(ruleNameProblem(name)).toBeNull();
  });

  it.each(['', 'has space', 'a..b', 'release/../*', '-x', 'x.lock', 'x/', '@', 'tab\there'])('refuses %j', (name) => {
    expect(ruleNameProblem(name)).toMatch(/neither a branch name nor a glob/);
  });
});

describe('selectRule', () => {
  const rule = (id: number, ruleName: string, priority: number) => ({ id, ruleName, priority });

  it('prefers the rule named exactly after the branch over any glob, whatever the priorities', () => {
    const rules = [rule(1, '*', 100), rule(2, 'main', 0), rule(3, 'ma*', 50)];
    expect(selectRule(rules, 'main')?.id).toBe(2);
  });

  it('otherwise takes the matching glob with the highest priority', () => {
    const rules = [rule(1, 'release/*', 1), rule(2, 'release/**', 5), rule(3, '**', 3)];
    expect(selectRule(rules, 'release/1.0')?.id).toBe(2);
    expect(selectRule(rules, 'release/1.0/fix')?.id).toBe(2);
    expect(selectRule(rules, 'feature/x')?.id).toBe(3);
  });

  it('breaks priority ties by the lowest id, whatever the order of the list', () => {
    const rules = [rule(9, 'r*', 2), rule(4, 're*', 2), rule(7, '*', 2)];
    expect(selectRule(rules, 'release')?.id).toBe(4);
    expect(selectRule([...rules].reverse(), 'release')?.id).toBe(4);
  });

  it('does not treat a plain rule name as a pattern for other branches', () => {
    expect(selectRule([rule(1, 'main', 9)], 'main2')).toBeNull();
    expect(selectRule([], 'main')).toBeNull();
  });
});

describe('evaluateMerge', () => {
  const unprotecting: MergeRule = {
    requiredApprovals: 0,
    dismissStaleApprovals: false,
    blockOnRejectedReviews: false,
    enableStatusCheck: false,
    statusCheckContexts: [],
    enableMergeAllowlist: false,
    mergeAllowlistUserIds: [],
    blockOnOutdatedBranch: false,
  };
  // Users 7 (the merger) and 1-4 have write access or more; 5 may read, 6 has no access at all.
  const permissions = new Map<number, CollaboratorPermission | null>([
    [7, 'write'],
    [1, 'write'],
    [2, 'admin'],
    [3, 'write'],
    [4, 'write'],
    [5, 'read'],
    [6, null],
  ]);
  const facts: MergeFacts = {
    approverIds: [],
    staleApproverIds: [],
    rejecterIds: [],
    mergerId: 7,
    permissions,
    statuses: [],
    isOutdated: false,
  };

  it('allows anything on an unprotected branch to a merger with write access', () => {
    expect(evaluateMerge(null, { ...facts, rejecterIds: [1], isOutdated: true })).toEqual({
      allowed: true,
      blockers: [],
    });
  });

  it('refuses a merger without write access, with a rule or without one', () => {
    for (const mergerId of [5, 6, 8]) {
      expect(evaluateMerge(null, { ...facts, mergerId })).toEqual({
        allowed: false,
        blockers: [{ code: 'no_merge_permission' }],
      });
      expect(evaluateMerge(unprotecting, { ...facts, mergerId }).blockers).toEqual([{ code: 'no_merge_permission' }]);
    }
    expect(evaluateMerge(null, { ...facts, mergerId: 2 }).allowed).toBe(true);
  });

  it('requires the number of approvals from reviewers with write access, naming the ones left out', () => {
    const rule = { ...unprotecting, requiredApprovals: 2 };
    expect(evaluateMerge(rule, { ...facts, approverIds: [1] })).toEqual({
      allowed: false,
      blockers: [{ code: 'not_enough_approvals', required: 2, actual: 1, ignoredApproverIds: [] }],
    });
    expect(evaluateMerge(rule, { ...facts, approverIds: [6, 1, 5, 9] }).blockers).toEqual([
      { code: 'not_enough_approvals', required: 2, actual: 1, ignoredApproverIds: [5, 6, 9] },
    ]);
    expect(evaluateMerge(rule, { ...facts, approverIds: [1, 2] }).allowed).toBe(true);
    expect(evaluateMerge(rule, { ...facts, approverIds: [1, 2, 3, 5] }).allowed).toBe(true);
  });

  it('counts stale approvals (with write access) unless the rule dismisses them', () => {
    const rule = { ...unprotecting, requiredApprovals: 2 };
    expect(evaluateMerge(rule, { ...facts, approverIds: [1], staleApproverIds: [2] }).allowed).toBe(true);
    expect(evaluateMerge(rule, { ...facts, approverIds: [1], staleApproverIds: [5] }).blockers).toEqual([
      { code: 'not_enough_approvals', required: 2, actual: 1, ignoredApproverIds: [5] },
    ]);
    expect(
      evaluateMerge({ ...rule, dismissStaleApprovals: true }, { ...facts, approverIds: [1], staleApproverIds: [2, 5] })
        .blockers,
    ).toEqual([{ code: 'not_enough_approvals', required: 2, actual: 1, ignoredApproverIds: [] }]);
  });

  it('blocks on change requests from reviewers with write access, only when the rule says so', () => {
    const blocking = { ...unprotecting, blockOnRejectedReviews: true };
    expect(evaluateMerge(unprotecting, { ...facts, rejecterIds: [1] }).allowed).toBe(true);
    expect(evaluateMerge(blocking, { ...facts, rejecterIds: [3, 5, 1, 6] }).blockers).toEqual([
      { code: 'rejected_reviews', rejecterIds: [1, 3] },
    ]);
    expect(evaluateMerge(blocking, { ...facts, rejecterIds: [5, 6, 9] }).allowed).toBe(true);
  });

  it('requires every listed status check to be success, naming each missing or failing one', () => {
    const rule = { ...unprotecting, enableStatusCheck: true, statusCheckContexts: ['build', 'test', 'lint'] };
    const statuses = [
      { context: 'build', state: 'success' as const },
      { context: 'test', state: 'pending' as const },
      { context: 'extra', state: 'failure' as const },
    ];
    expect(evaluateMerge(rule, { ...facts, statuses }).blockers).toEqual([
      { code: 'status_check_not_successful', context: 'test', state: 'pending' },
      { code: 'status_check_not_successful', context: 'lint', state: 'missing' },
    ]);
    const allGreen = ['build', 'test', 'lint'].map((context) => ({ context, state: 'success' as const }));
    expect(
      evaluateMerge(rule, { ...facts, statuses: [...allGreen, { context: 'extra', state: 'error' }] }).allowed,
    ).toBe(true);
  });

  it('ignores statuses when status checks are disabled, even with contexts listed', () => {
    const rule = { ...unprotecting, statusCheckContexts: ['build'] };
    expect(evaluateMerge(rule, { ...facts, statuses: [{ context: 'build', state: 'failure' }] }).allowed).toBe(true);
  });

  it('with status checks on but no contexts listed, wants at least one status and all of them success', () => {
    const rule = { ...unprotecting, enableStatusCheck: true };
    expect(evaluateMerge(rule, facts).blockers).toEqual([{ code: 'no_status_checks' }]);
    expect(
      evaluateMerge(rule, {
        ...facts,
        statuses: [
          { context: 'a', state: 'success' },
          { context: 'b', state: 'error' },
        ],
      }).blockers,
    ).toEqual([{ code: 'status_check_not_successful', context: 'b', state: 'error' }]);
    expect(evaluateMerge(rule, { ...facts, statuses: [{ context: 'a', state: 'success' }] }).allowed).toBe(true);
  });

  it('lets only allowlisted users merge when the merge allowlist is on', () => {
    const rule = { ...unprotecting, enableMergeAllowlist: true, mergeAllowlistUserIds: [3, 7] };
    expect(evaluateMerge(rule, facts).allowed).toBe(true);
    expect(evaluateMerge(rule, { ...facts, mergerId: 1 }).blockers).toEqual([{ code: 'not_in_merge_allowlist' }]);
    expect(evaluateMerge({ ...rule, enableMergeAllowlist: false }, { ...facts, mergerId: 1 }).allowed).toBe(true);
    // Being allowlisted does not stand in for write access.
    expect(evaluateMerge({ ...rule, mergeAllowlistUserIds: [5] }, { ...facts, mergerId: 5 }).blockers).toEqual([
      { code: 'no_merge_permission' },
    ]);
  });

  it('blocks an outdated head branch only when the rule says so', () => {
    expect(evaluateMerge(unprotecting, { ...facts, isOutdated: true }).allowed).toBe(true);
    expect(
      evaluateMerge({ ...unprotecting, blockOnOutdatedBranch: true }, { ...facts, isOutdated: true }).blockers,
    ).toEqual([{ code: 'outdated_branch' }]);
  });

  it('reports every unmet requirement at once', () => {
    const rule: MergeRule = {
      requiredApprovals: 1,
      dismissStaleApprovals: false,
      blockOnRejectedReviews: true,
      enableStatusCheck: true,
      statusCheckContexts: ['ci'],
      enableMergeAllowlist: true,
      mergeAllowlistUserIds: [],
      blockOnOutdatedBranch: true,
    };
    const decision = evaluateMerge(rule, { ...facts, mergerId: 5, rejecterIds: [1], isOutdated: true });
    expect(decision.allowed).toBe(false);
    expect(decision.blockers.map((blocker) => blocker.code)).toEqual([
      'no_merge_permission',
      'not_in_merge_allowlist',
      'not_enough_approvals',
      'rejected_reviews',
      'status_check_not_successful',
      'outdated_branch',
    ]);
  });
});
