import type { ListIssueEventsRpc, RpcReplyOf } from '@plue/contracts';
import type { IssueEvent } from '@plue/collaboration';

export function issueEventReply(event: IssueEvent): RpcReplyOf<typeof ListIssueEventsRpc>['items'][number] {
  return {
    id: event.id,
    issueId: event.issueId,
    actorId: event.actorId,
    eventType: event.eventType,
    payload: event.payload,
    createdAt: event.createdAt.toISOString(),
  };
}
