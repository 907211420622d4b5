import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  ListPinnedIssuesRpc,
  PinIssueRpc,
  ReorderPinnedIssuesRpc,
  UnpinIssueRpc,
  type RpcParsedRequestOf,
  type RpcReplyOf,
} from '@plue/contracts';
import { IssuesDao, PinnedIssuesDao } from '@plue/collaboration';
import { inTransaction, type Tx } from '@plue/db';
import { RpcRequestPipe } from '@plue/service-kit';
import { DataSource } from 'typeorm';
import { requireIssue } from './lookups';
import { pinnedIssueReply } from './pinned-issues.replies';
import { withRequestField } from './request-fields';

type PinnedIssueReply = RpcReplyOf<typeof PinIssueRpc>;

/**
 * Pinned issues (at most 3 per repository, numbered 1..n). The DAO serializes pin changes of a
 * repository; each change and its pinned/unpinned timeline event commit together.
 */
@Controller()
export class PinnedIssuesController {
  constructor(
    private readonly db: DataSource,
    private readonly issues: IssuesDao,
    private readonly pins: PinnedIssuesDao,
  ) {}

  @MessagePattern(ListPinnedIssuesRpc.pattern)
  async list(
    @Payload(new RpcRequestPipe(ListPinnedIssuesRpc)) request: RpcParsedRequestOf<typeof ListPinnedIssuesRpc>,
  ): Promise<RpcReplyOf<typeof ListPinnedIssuesRpc>> {
    return { items: await this.pinsOf(request.repoId, this.db.manager) };
  }

  @MessagePattern(PinIssueRpc.pattern)
  pin(
    @Payload(new RpcRequestPipe(PinIssueRpc)) request: RpcParsedRequestOf<typeof PinIssueRpc>,
  ): Promise<PinnedIssueReply> {
    return inTransaction(this.db, async (tx) => {
      const issue = await requireIssue(this.issues, request.repoId, request.issueNumber, 'issueNumber', tx);
      const pin = await withRequestField(this.pins.pin(issue.id, request.actorId, tx), 'issueId', 'issueNumber');
      return pinnedIssueReply(pin, issue);
    });
  }

  @MessagePattern(UnpinIssueRpc.pattern)
  unpin(
    @Payload(new RpcRequestPipe(UnpinIssueRpc)) request: RpcParsedRequestOf<typeof UnpinIssueRpc>,
  ): Promise<RpcReplyOf<typeof UnpinIssueRpc>> {
    return inTransaction(this.db, async (tx) => {
      const issue = await requireIssue(this.issues, request.repoId, request.issueNumber, 'issueNumber', tx);
      const unpinned = await this.pins.unpin(issue.id, request.actorId, tx);
      return { unpinned, items: await this.pinsOf(request.repoId, tx) };
    });
  }

  @MessagePattern(ReorderPinnedIssuesRpc.pattern)
  reorder(
    @Payload(new RpcRequestPipe(ReorderPinnedIssuesRpc)) request: RpcParsedRequestOf<typeof ReorderPinnedIssuesRpc>,
  ): Promise<RpcReplyOf<typeof ReorderPinnedIssuesRpc>> {
    return inTransaction(this.db, async (tx) => {
      const issueIds: number[] = [];
      for (const [index, issueNumber] of request.issueNumbers.entries()) {
        issueIds.push((await requireIssue(this.issues, request.repoId, issueNumber, `issueNumbers.${index}`, tx)).id);
      }
      await withRequestField(this.pins.reorder(request.repoId, issueIds, tx), 'issueIds', 'issueNumbers');
      return { items: await this.pinsOf(request.repoId, tx) };
    });
  }

  /** The repository's pins in order, each with its issue (at most 3 lookups). */
  private async pinsOf(repoId: number, tx: Tx): Promise<PinnedIssueReply[]> {
    const replies: PinnedIssueReply[] = [];
    for (const pin of await this.pins.list(repoId, tx)) {
      const issue = await this.issues.getById(pin.issueId, tx);
      // The foreign key (issue_id, repo_id) and its cascade keep a pin from outliving its issue.
      if (issue) replies.push(pinnedIssueReply(pin, issue));
    }
    return replies;
  }
}
