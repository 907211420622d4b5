import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  AddReactionRpc,
  ListReactionsRpc,
  ReactionSummaryRpc,
  RemoveReactionRpc,
  type RpcParsedRequestOf,
  type RpcReplyOf,
} from '@plue/contracts';
import { CommentsDao, IssuesDao, ReactionsDao, type ReactionTargetType } from '@plue/collaboration';
import { inTransaction, type Tx } from '@plue/db';
import { RpcRequestPipe } from '@plue/service-kit';
import { DataSource } from 'typeorm';
import { requireComment, requireIssue } from './lookups';
import { reactionReply } from './reactions.replies';

/** A reaction target as requests name it: an issue by number or a comment by id, in a repository. */
type TargetRequest = RpcParsedRequestOf<typeof ListReactionsRpc>;

/**
 * Emoji reactions on issues and comments. Requests name the target as users see it; the DAO
 * stores its row id (issues.id or comments.id, never an issue number).
 */
@Controller()
export class ReactionsController {
  constructor(
    private readonly db: DataSource,
    private readonly issues: IssuesDao,
    private readonly comments: CommentsDao,
    private readonly reactions: ReactionsDao,
  ) {}

  @MessagePattern(AddReactionRpc.pattern)
  add(
    @Payload(new RpcRequestPipe(AddReactionRpc)) request: RpcParsedRequestOf<typeof AddReactionRpc>,
  ): Promise<RpcReplyOf<typeof AddReactionRpc>> {
    return inTransaction(this.db, async (tx) => {
      const target = await this.target(request, tx);
      const { reaction, created } = await this.reactions.add(
        { ...target, userId: request.userId, content: request.content },
        tx,
      );
      return { reaction: reactionReply(reaction), created };
    });
  }

  @MessagePattern(RemoveReactionRpc.pattern)
  remove(
    @Payload(new RpcRequestPipe(RemoveReactionRpc)) request: RpcParsedRequestOf<typeof RemoveReactionRpc>,
  ): Promise<RpcReplyOf<typeof RemoveReactionRpc>> {
    return inTransaction(this.db, async (tx) => {
      const target = await this.target(request, tx);
      return {
        removed: await this.reactions.remove({ ...target, userId: request.userId, content: request.content }, tx),
      };
    });
  }

  @MessagePattern(ReactionSummaryRpc.pattern)
  async summary(
    @Payload(new RpcRequestPipe(ReactionSummaryRpc)) request: TargetRequest,
  ): Promise<RpcReplyOf<typeof ReactionSummaryRpc>> {
    const target = await this.target(request);
    return this.reactions.summary(target.targetType, target.targetId);
  }

  @MessagePattern(ListReactionsRpc.pattern)
  async list(
    @Payload(new RpcRequestPipe(ListReactionsRpc)) request: TargetRequest,
  ): Promise<RpcReplyOf<typeof ListReactionsRpc>> {
    const target = await this.target(request);
    return { items: (await this.reactions.list(target.targetType, target.targetId)).map(reactionReply) };
  }

  /** The target's row id; `not_found` for an issue or comment that is not in the repository. */
  private async target(request: TargetRequest, tx?: Tx): Promise<{ targetType: ReactionTargetType; targetId: number }> {
    if (request.targetType === 'issue') {
      const issue = await requireIssue(this.issues, request.repoId, request.issueNumber, 'issueNumber', tx);
      return { targetType: 'issue', targetId: issue.id };
    }
    const { comment } = await requireComment(this.comments, this.issues, request.repoId, request.commentId, tx);
    return { targetType: 'comment', targetId: comment.id };
  }
}
