import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ListIssueEventsRpc, type RpcParsedRequestOf, type RpcReplyOf } from '@plue/contracts';
import { IssueEventsDao, IssuesDao } from '@plue/collaboration';
import { RpcRequestPipe } from '@plue/service-kit';
import { issueEventReply } from './issue-events.replies';
import { requireIssue } from './lookups';

/** The timeline of an issue or pull request; the other controllers' writes record its events. */
@Controller()
export class IssueEventsController {
  constructor(
    private readonly issues: IssuesDao,
    private readonly events: IssueEventsDao,
  ) {}

  /** A full page may be the last one: the next request then returns no items. */
  @MessagePattern(ListIssueEventsRpc.pattern)
  async list(
    @Payload(new RpcRequestPipe(ListIssueEventsRpc)) request: RpcParsedRequestOf<typeof ListIssueEventsRpc>,
  ): Promise<RpcReplyOf<typeof ListIssueEventsRpc>> {
    const issue = await requireIssue(this.issues, request.repoId, request.issueNumber, 'issueNumber');
    const events = await this.events.listForIssue(issue.id, { limit: request.limit, afterId: request.afterId });
    const last = events[events.length - 1];
    return {
      items: events.map(issueEventReply),
      nextAfterId: events.length === request.limit && last ? last.id : null,
    };
  }
}
