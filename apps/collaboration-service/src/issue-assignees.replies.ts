import type { ListIssueAssigneesRpc, RpcReplyOf } from '@plue/contracts';
import type { IssueAssignee } from '@plue/collaboration';

export function assigneeReply(assignee: IssueAssignee): RpcReplyOf<typeof ListIssueAssigneesRpc>['items'][number] {
  return { userId: assignee.userId, assignedAt: assignee.createdAt.toISOString() };
}
