import type {
  AddCollaboratorRpc,
  CreateRepositoryRpc,
  ListStarredRpc,
  PushBranchRpc,
  RpcReplyOf,
  SetWatchRpc,
  UpsertCommitStatusRpc,
} from '@plue/contracts';
import type { Branch, Collaborator, CommitStatus, Repository, Star, Watch } from '@plue/git';

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
