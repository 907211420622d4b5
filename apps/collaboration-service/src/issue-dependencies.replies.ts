import type { AddIssueDependencyRpc, RpcReplyOf } from '@plue/contracts';
import type { Issue, IssueDependency } from '@plue/collaboration';

/** A dependency between two issues, both named by repository and number. */
export function dependencyReply(
  dependency: IssueDependency,
  issue: Issue,
  dependsOn: Issue,
): RpcReplyOf<typeof AddIssueDependencyRpc> {
  return {
    id: dependency.id,
    repoId: issue.repoId,
    issueNumber: issue.issueNumber,
    dependsOnRepoId: dependsOn.repoId,
    dependsOnNumber: dependsOn.issueNumber,
    createdAt: dependency.createdAt.toISOString(),
  };
}
