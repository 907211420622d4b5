import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  CreateIssueRpc,
  GetIssueRpc,
  IssueOpened,
  ListIssuesRpc,
  UpdateIssueRpc,
  type RpcParsedRequestOf,
  type RpcReplyOf,
} from '@plue/contracts';
import { IssuesDao, MentionsDao } from '@plue/collaboration';
import { inTransaction, NotFoundError } from '@plue/db';
import { OutboxWriter } from '@plue/messaging';
import { currentTraceparent, RpcRequestPipe } from '@plue/service-kit';
import { DataSource } from 'typeorm';
import { issueReply } from './replies';

@Controller()
export class IssuesController {
  constructor(
    private readonly db: DataSource,
    private readonly issues: IssuesDao,
    private readonly mentions: MentionsDao,
    private readonly outbox: OutboxWriter,
  ) {}

  /**
   * The issue (numbered by the database), its labels, assignees and mentions, and its `issue.opened`
   * event commit together; the event names the mentioned users (agent triggers on them, flow 5).
   */
  @MessagePattern(CreateIssueRpc.pattern)
  create(
    @Payload(new RpcRequestPipe(CreateIssueRpc)) request: RpcParsedRequestOf<typeof CreateIssueRpc>,
  ): Promise<RpcReplyOf<typeof CreateIssueRpc>> {
    return inTransaction(this.db, async (tx) => {
      const issue = await this.issues.create(request, tx);
      const mentions = await this.mentions.listForTarget('issue', issue.id, tx);
      await this.outbox.emit(
        tx,
        IssueOpened.subject,
        issue.id,
        {
          issueId: issue.id,
          repoId: issue.repoId,
          issueNumber: issue.issueNumber,
          authorId: issue.authorId,
          title: issue.title,
          isPullRequest: issue.isPull,
          mentionedUserIds: mentions.map((mention) => Number(mention.userId)),
        },
        { traceparent: currentTraceparent() },
      );
      return issueReply(issue);
    });
  }

  @MessagePattern(GetIssueRpc.pattern)
  async get(
    @Payload(new RpcRequestPipe(GetIssueRpc)) request: RpcParsedRequestOf<typeof GetIssueRpc>,
  ): Promise<RpcReplyOf<typeof GetIssueRpc>> {
    const issue = await this.issues.getByNumber(request.repoId, request.number);
    if (!issue) throw issueNotFound(request.repoId, request.number, 'number');
    return issueReply(issue);
  }

  @MessagePattern(ListIssuesRpc.pattern)
  async list(
    @Payload(new RpcRequestPipe(ListIssuesRpc)) request: RpcParsedRequestOf<typeof ListIssuesRpc>,
  ): Promise<RpcReplyOf<typeof ListIssuesRpc>> {
    const { repoId, ...filters } = request;
    const page = await this.issues.list(repoId, filters);
    return { items: page.items.map(issueReply), nextCursor: page.nextCursor };
  }

  /** Title, body, state, milestone and lock changes, with their timeline events, in one transaction (no event yet). */
  @MessagePattern(UpdateIssueRpc.pattern)
  update(
    @Payload(new RpcRequestPipe(UpdateIssueRpc)) request: RpcParsedRequestOf<typeof UpdateIssueRpc>,
  ): Promise<RpcReplyOf<typeof UpdateIssueRpc>> {
    const { repoId, number, ...changes } = request;
    return inTransaction(this.db, async (tx) => {
      const issue = await this.issues.getByNumber(repoId, number, tx);
      if (!issue) throw issueNotFound(repoId, number, 'number');
      return issueReply(await this.issues.update(issue.id, changes, tx));
    });
  }
}

export function issueNotFound(repoId: number, issueNumber: number, field: string): NotFoundError {
  return new NotFoundError(`issue #${issueNumber} does not exist in repository ${repoId}`, { field });
}
