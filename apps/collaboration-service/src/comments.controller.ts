import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  CommentCreated,
  CreateCommentRpc,
  DeleteCommentRpc,
  GetCommentRpc,
  ListCommentsRpc,
  UpdateCommentRpc,
  type RpcParsedRequestOf,
  type RpcReplyOf,
} from '@plue/contracts';
import { CommentsDao, IssuesDao, MentionsDao } from '@plue/collaboration';
import { inTransaction } from '@plue/db';
import { OutboxWriter } from '@plue/messaging';
import { currentTraceparent, RpcRequestPipe } from '@plue/service-kit';
import { DataSource } from 'typeorm';
import { issueNotFound } from './issues.controller';
import { requireComment, requireIssue } from './lookups';
import { commentReply } from './replies';

@Controller()
export class CommentsController {
  constructor(
    private readonly db: DataSource,
    private readonly issues: IssuesDao,
    private readonly comments: CommentsDao,
    private readonly mentions: MentionsDao,
    private readonly outbox: OutboxWriter,
  ) {}

  /**
   * The comment, its mentions and its `comment.created` event commit together. The event's
   * aggregate is the issue, so the comments of one issue are delivered in order.
   */
  @MessagePattern(CreateCommentRpc.pattern)
  create(
    @Payload(new RpcRequestPipe(CreateCommentRpc)) request: RpcParsedRequestOf<typeof CreateCommentRpc>,
  ): Promise<RpcReplyOf<typeof CreateCommentRpc>> {
    return inTransaction(this.db, async (tx) => {
      const issue = await this.issues.getByNumber(request.repoId, request.issueNumber, tx);
      if (!issue) throw issueNotFound(request.repoId, request.issueNumber, 'issueNumber');
      const comment = await this.comments.create(
        { issueId: issue.id, authorId: request.authorId, body: request.body },
        tx,
      );
      const mentions = await this.mentions.listForTarget('comment', comment.id, tx);
      await this.outbox.emit(
        tx,
        CommentCreated.subject,
        issue.id,
        {
          commentId: comment.id,
          issueId: issue.id,
          repoId: issue.repoId,
          issueNumber: issue.issueNumber,
          authorId: comment.authorId,
          body: comment.body,
          mentionedUserIds: mentions.map((mention) => Number(mention.userId)),
        },
        { traceparent: currentTraceparent() },
      );
      return commentReply(comment, issue);
    });
  }

  @MessagePattern(GetCommentRpc.pattern)
  async get(
    @Payload(new RpcRequestPipe(GetCommentRpc)) request: RpcParsedRequestOf<typeof GetCommentRpc>,
  ): Promise<RpcReplyOf<typeof GetCommentRpc>> {
    const { comment, issue } = await requireComment(this.comments, this.issues, request.repoId, request.commentId);
    return commentReply(comment, issue);
  }

  /** The new body and its re-synced mentions commit together (no event yet: nothing consumes edits). */
  @MessagePattern(UpdateCommentRpc.pattern)
  update(
    @Payload(new RpcRequestPipe(UpdateCommentRpc)) request: RpcParsedRequestOf<typeof UpdateCommentRpc>,
  ): Promise<RpcReplyOf<typeof UpdateCommentRpc>> {
    return inTransaction(this.db, async (tx) => {
      const { issue } = await requireComment(this.comments, this.issues, request.repoId, request.commentId, tx);
      return commentReply(await this.comments.edit(request.commentId, request.body, tx), issue);
    });
  }

  @MessagePattern(DeleteCommentRpc.pattern)
  delete(
    @Payload(new RpcRequestPipe(DeleteCommentRpc)) request: RpcParsedRequestOf<typeof DeleteCommentRpc>,
  ): Promise<RpcReplyOf<typeof DeleteCommentRpc>> {
    return inTransaction(this.db, async (tx) => {
      await requireComment(this.comments, this.issues, request.repoId, request.commentId, tx);
      await this.comments.delete(request.commentId, tx);
      return { deleted: true as const, commentId: request.commentId };
    });
  }

  @MessagePattern(ListCommentsRpc.pattern)
  async list(
    @Payload(new RpcRequestPipe(ListCommentsRpc)) request: RpcParsedRequestOf<typeof ListCommentsRpc>,
  ): Promise<RpcReplyOf<typeof ListCommentsRpc>> {
    const { repoId, issueNumber, ...page } = request;
    const issue = await requireIssue(this.issues, repoId, issueNumber, 'issueNumber');
    const comments = await this.comments.listByIssue(issue.id, page);
    return { items: comments.items.map((comment) => commentReply(comment, issue)), nextCursor: comments.nextCursor };
  }
}
