import type {
  AddCollaboratorRpc,
  CheckMergeRpc,
  CreateRepositoryRpc,
  ListStarredRpc,
  PushBranchRpc,
  RpcReplyOf,
  SetWatchRpc,
  UpsertCommitStatusRpc,
} from '@plue/contracts';
import type {
  Branch,
  Collaborator,
  CommitStatus,
  MergeBlocker,
  ProtectedBranch,
  Repository,
  Star,
  Watch,
} from '@plue/git';

// Entities become the contracts' reply shapes: explicit fields (nothing leaks by being added to an
// entity) and ISO-8601 times (JSON has no dates).

export function repositoryReply(repository: Repository): RpcReplyOf<typeof CreateRepositoryRpc> {
  return {
    id: repository.id,
    ownerId: repository.userId,
    name: repository.name,
    description: repository.description,
    isPublic: repository.isPublic,
    defaultBranch: repository.defaultBranch,
    topics: repository.topics,
    isArchived: repository.isArchived,
    createdAt: repository.createdAt.toISOString(),
    updatedAt: repository.updatedAt.toISOString(),
  };
}

export function branchReply(branch: Branch): RpcReplyOf<typeof PushBranchRpc>['branch'] {
  return {
    id: branch.id,
    repoId: branch.repoId,
    name: branch.name,
    commitId: branch.commitId,
    pusherId: branch.pusherId,
    updatedAt: branch.updatedAt.toISOString(),
  };
}

export function commitStatusReply(status: CommitStatus): RpcReplyOf<typeof UpsertCommitStatusRpc> {
  return {
    id: status.id,
    repoId: status.repoId,
    commitSha: status.commitSha,
    context: status.context,
    state: status.state,
    description: status.description,
    targetUrl: status.targetUrl,
    creatorId: status.creatorId,
    workflowRunId: status.workflowRunId,
    updatedAt: status.updatedAt.toISOString(),
  };
}

export function collaboratorReply(collaborator: Collaborator): RpcReplyOf<typeof AddCollaboratorRpc> {
  return {
    id: collaborator.id,
    repoId: collaborator.repoId,
    userId: collaborator.userId,
    permission: collaborator.permission,
    createdAt: collaborator.createdAt.toISOString(),
    updatedAt: collaborator.updatedAt.toISOString(),
  };
}

export function starReply(star: Star): RpcReplyOf<typeof ListStarredRpc>['items'][number] {
  return { userId: star.userId, repoId: star.repoId, createdAt: star.createdAt.toISOString() };
}

export function watchReply(watch: Watch): RpcReplyOf<typeof SetWatchRpc> {
  return {
    userId: watch.userId,
    repoId: watch.repoId,
    mode: watch.mode,
    createdAt: watch.createdAt.toISOString(),
    updatedAt: watch.updatedAt.toISOString(),
  };
}

type CheckMergeReply = RpcReplyOf<typeof CheckMergeRpc>;

export function protectionRuleReply(rule: ProtectedBranch): NonNullable<CheckMergeReply['rule']> {
  return {
    id: rule.id,
    repoId: rule.repoId,
    ruleName: rule.ruleName,
    priority: rule.priority,
    canPush: rule.canPush,
    enablePushAllowlist: rule.enablePushAllowlist,
    pushAllowlistUserIds: rule.pushAllowlistUserIds,
    canForcePush: rule.canForcePush,
    enableForcePushAllowlist: rule.enableForcePushAllowlist,
    forcePushAllowlistUserIds: rule.forcePushAllowlistUserIds,
    enableMergeAllowlist: rule.enableMergeAllowlist,
    mergeAllowlistUserIds: rule.mergeAllowlistUserIds,
    requiredApprovals: rule.requiredApprovals,
    enableStatusCheck: rule.enableStatusCheck,
    statusCheckContexts: rule.statusCheckContexts,
    blockOnRejectedReviews: rule.blockOnRejectedReviews,
    blockOnOutdatedBranch: rule.blockOnOutdatedBranch,
    dismissStaleApprovals: rule.dismissStaleApprovals,
    createdAt: rule.createdAt.toISOString(),
    updatedAt: rule.updatedAt.toISOString(),
  };
}

/**
 * `evaluateMerge`'s blockers as the contract's unmet requirements, in its order: one entry per
 * requirement, the status checks grouped into one entry listing each context that is not `success`.
 */
export function unmetRequirements(
  blockers: readonly MergeBlocker[],
  facts: { mergerId: number; baseCommitSha: string | null },
): CheckMergeReply['unmet'] {
  const unmet: CheckMergeReply['unmet'] = [];
  let statusChecks: Extract<CheckMergeReply['unmet'][number], { requirement: 'status_checks' }> | undefined;
  const statusChecksEntry = () => {
    if (!statusChecks) {
      statusChecks = { requirement: 'status_checks', contexts: [], noStatuses: false };
      unmet.push(statusChecks);
    }
    return statusChecks;
  };
  for (const blocker of blockers) {
    switch (blocker.code) {
      case 'no_merge_permission':
        unmet.push({ requirement: 'merge_permission', mergerId: facts.mergerId });
        break;
      case 'not_in_merge_allowlist':
        unmet.push({ requirement: 'merge_allowlist', mergerId: facts.mergerId });
        break;
      case 'not_enough_approvals':
        unmet.push({
          requirement: 'approvals',
          required: blocker.required,
          actual: blocker.actual,
          ignoredApproverIds: blocker.ignoredApproverIds,
        });
        break;
      case 'rejected_reviews':
        unmet.push({ requirement: 'no_rejected_reviews', rejecterIds: blocker.rejecterIds });
        break;
      case 'status_check_not_successful':
        // evaluateMerge reports only contexts that are not `success`; the test narrows the type.
        if (blocker.state !== 'success')
          statusChecksEntry().contexts.push({ context: blocker.context, state: blocker.state });
        break;
      case 'no_status_checks':
        statusChecksEntry().noStatuses = true;
        break;
      case 'outdated_branch':
        unmet.push({ requirement: 'up_to_date', baseCommitSha: facts.baseCommitSha });
        break;
    }
  }
  return unmet;
}
