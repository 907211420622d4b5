import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  AddIssueAssigneesRpc,
  ListIssueAssigneesRpc,
  RemoveIssueAssigneesRpc,
  type RpcParsedRequestOf,
  type RpcReplyOf,
} from '@plue/contracts';
import { IssueAssigneesDao, IssuesDao } from '@plue/collaboration';
import { inTransaction } from '@plue/db';
import { RpcRequestPipe } from '@plue/service-kit';
import { DataSource } from 'typeorm';
import { assigneeReply } from './issue-assignees.replies';
import { requireIssue } from './lookups';

/**
 * Users assigned to an issue. Each change and its assigned/unassigned timeline events commit
 * together; the DAO locks the issue, so concurrent changes keep the limit of 10.
 */
@Controller()
export class IssueAssigneesController {
  constructor(
    private readonly db: DataSource,
    private readonly issues: IssuesDao,
    private readonly assignees: IssueAssigneesDao,
  ) {}

  @MessagePattern(AddIssueAssigneesRpc.pattern)
  add(
    @Payload(new RpcRequestPipe(AddIssueAssigneesRpc)) request: RpcParsedRequestOf<typeof AddIssueAssigneesRpc>,
  ): Promise<RpcReplyOf<typeof AddIssueAssigneesRpc>> {
    return inTransaction(this.db, async (tx) => {
      const issue = await requireIssue(this.issues, request.repoId, request.issueNumber, 'issueNumber', tx);
      const added = await this.assignees.add(issue.id, request.userIds, request.actorId, tx);
      return { added, assignees: (await this.assignees.list(issue.id, tx)).map(assigneeReply) };
    });
  }

  @MessagePattern(RemoveIssueAssigneesRpc.pattern)
  remove(
    @Payload(new RpcRequestPipe(RemoveIssueAssigneesRpc)) request: RpcParsedRequestOf<typeof RemoveIssueAssigneesRpc>,
  ): Promise<RpcReplyOf<typeof RemoveIssueAssigneesRpc>> {
    return inTransaction(this.db, async (tx) => {
      const issue = await requireIssue(this.issues, request.repoId, request.issueNumber, 'issueNumber', tx);
      const removed = await this.assignees.remove(issue.id, request.userIds, request.actorId, tx);
      return { removed, assignees: (await this.assignees.list(issue.id, tx)).map(assigneeReply) };
    });
  }

  @MessagePattern(ListIssueAssigneesRpc.pattern)
  async list(
    @Payload(new RpcRequestPipe(ListIssueAssigneesRpc)) request: RpcParsedRequestOf<typeof ListIssueAssigneesRpc>,
  ): Promise<RpcReplyOf<typeof ListIssueAssigneesRpc>> {
    const issue = await requireIssue(this.issues, request.repoId, request.issueNumber, 'issueNumber');
    return { items: (await this.assignees.list(issue.id)).map(assigneeReply) };
  }
}
