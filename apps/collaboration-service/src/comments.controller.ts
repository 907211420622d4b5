import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CommentCreated, CreateCommentRpc, type RpcParsedRequestOf, type RpcReplyOf } from '@plue/contracts';
import { CommentsDao, IssuesDao, MentionsDao } from '@plue/collaboration';
import { inTransaction } from '@plue/db';
import { OutboxWriter } from '@plue/messaging';
import { currentTraceparent, RpcRequestPipe } from '@plue/service-kit';
import { DataSource } from 'typeorm';
import { issueNotFound } from './issues.controller';
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
}
