import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  AddIssueLabelsRpc,
  ListIssueLabelsRpc,
  RemoveIssueLabelsRpc,
  SetIssueLabelsRpc,
  type RpcParsedRequestOf,
  type RpcReplyOf,
} from '@plue/contracts';
import { IssuesDao, LabelsDao, type IssueLabelChange } from '@plue/collaboration';
import { inTransaction, type Tx } from '@plue/db';
import { RpcRequestPipe } from '@plue/service-kit';
import { DataSource } from 'typeorm';
import { labelReply } from './labels.replies';
import { requireIssue } from './lookups';

type IssueLabelChangeRequest = RpcParsedRequestOf<typeof AddIssueLabelsRpc>;
type IssueLabelChangeReply = RpcReplyOf<typeof AddIssueLabelsRpc>;

/**
 * Labels applied to an issue. Each change and its labeled/unlabeled timeline events commit together
 * (the DAO locks the issue, so concurrent changes keep the exclusive-scope rule).
 */
@Controller()
export class IssueLabelsController {
  constructor(
    private readonly db: DataSource,
    private readonly issues: IssuesDao,
    private readonly labels: LabelsDao,
  ) {}

  @MessagePattern(AddIssueLabelsRpc.pattern)
  add(
    @Payload(new RpcRequestPipe(AddIssueLabelsRpc)) request: IssueLabelChangeRequest,
  ): Promise<IssueLabelChangeReply> {
    return this.change(request, (issueId, tx) =>
      this.labels.addToIssue(issueId, request.labelIds, request.actorId, tx),
    );
  }

  @MessagePattern(RemoveIssueLabelsRpc.pattern)
  remove(
    @Payload(new RpcRequestPipe(RemoveIssueLabelsRpc)) request: RpcParsedRequestOf<typeof RemoveIssueLabelsRpc>,
  ): Promise<RpcReplyOf<typeof RemoveIssueLabelsRpc>> {
    return this.change(request, (issueId, tx) =>
      this.labels.removeFromIssue(issueId, request.labelIds, request.actorId, tx),
    );
  }

  @MessagePattern(SetIssueLabelsRpc.pattern)
  set(
    @Payload(new RpcRequestPipe(SetIssueLabelsRpc)) request: RpcParsedRequestOf<typeof SetIssueLabelsRpc>,
  ): Promise<RpcReplyOf<typeof SetIssueLabelsRpc>> {
    return this.change(request, (issueId, tx) =>
      this.labels.setForIssue(issueId, request.labelIds, request.actorId, tx),
    );
  }

  @MessagePattern(ListIssueLabelsRpc.pattern)
  async list(
    @Payload(new RpcRequestPipe(ListIssueLabelsRpc)) request: RpcParsedRequestOf<typeof ListIssueLabelsRpc>,
  ): Promise<RpcReplyOf<typeof ListIssueLabelsRpc>> {
    const issue = await requireIssue(this.issues, request.repoId, request.issueNumber, 'issueNumber');
    return { items: (await this.labels.listForIssue(issue.id)).map(labelReply) };
  }

  /** Runs a label change on the addressed issue and replies with the change and the labels it left. */
  private change(
    request: IssueLabelChangeRequest,
    apply: (issueId: number, tx: Tx) => Promise<IssueLabelChange>,
  ): Promise<IssueLabelChangeReply> {
    return inTransaction(this.db, async (tx) => {
      const issue = await requireIssue(this.issues, request.repoId, request.issueNumber, 'issueNumber', tx);
      const { added, removed } = await apply(issue.id, tx);
      return { added, removed, labels: (await this.labels.listForIssue(issue.id, tx)).map(labelReply) };
    });
  }
}
