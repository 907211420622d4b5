import { z } from 'zod';
import type { DataSource } from 'typeorm';
import { inTransaction, NotFoundError, parseInput, type Tx, hydrate } from '@plue/db';
import { ReviewComment } from './entities/review-comment.entity';
import { rowsOf } from './result-rows';
import { recordIssueEvent } from './issue-events.dao';
import { commentBodySchema, gitObjectIdSchema, idSchema, textSchema } from './validation';

const createSchema = z
  .object({
    reviewId: idSchema,
    authorId: idSchema,
    path: textSchema(1, 4096),
    /** Leave out for a comment on the whole file. */
    line: z.number().int().positive().max(2_147_483_647).nullable().default(null),
    side: z.enum(['left', 'right']).default('right'),
    body: commentBodySchema,
    commitId: gitObjectIdSchema.nullable().default(null),
    diffHunk: textSchema(0, 65536).nullable().default(null),
  })
  .strict();
export type CreateReviewComment = z.input<typeof createSchema>;

const replySchema = z
  .object({
    /** The comment answered; a reply to a reply joins the same thread. */
    inReplyToId: idSchema,
    authorId: idSchema,
    body: commentBodySchema,
    /** The replier's own (pending) review; without one, the reply is a single-comment "commented" review. */
    reviewId: idSchema.optional(),
  })
  .strict();
export type ReplyToReviewComment = z.input<typeof replySchema>;

export interface ReviewThread {
  root: ReviewComment;
  replies: ReviewComment[];
}

/**
 * Line comments of pull-request reviews, threaded: a thread is a root comment (on a path and line)
 * and its replies (`inReplyToId` = the root). A thread is resolved and unresolved as a whole.
 */
export class ReviewCommentsDao {
  constructor(private readonly db: DataSource) {}

  /** Starts a thread in a review; the comment belongs to the review's pull request. */
  async create(data: CreateReviewComment, tx?: Tx): Promise<ReviewComment> {
    const input = parseInput(createSchema, data);
    return inTransaction(tx ?? this.db, async (manager) => {
      const [review] = rowsOf(await manager.query('SELECT issue_id FROM reviews WHERE id = $1', [input.reviewId]));
      if (!review) throw new NotFoundError(`review ${input.reviewId} does not exist`, { field: 'reviewId' });
      const [row] = rowsOf(
        await manager.query(
          `INSERT INTO review_comments (review_id, issue_id, author_id, path, line, side, body, commit_id, diff_hunk)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
          [
            input.reviewId,
            review.issue_id,
            input.authorId,
            input.path,
            input.line,
            input.side,
            input.body,
            input.commitId,
            input.diffHunk,
          ],
        ),
      );
      return hydrate(manager, ReviewComment, row);
    });
  }

  /** Answers a comment in its thread (same path, line, side and commit as the thread's root). */
  async reply(data: ReplyToReviewComment, tx?: Tx): Promise<ReviewComment> {
    const input = parseInput(replySchema, data);
    return inTransaction(tx ?? this.db, async (manager) => {
      const root = await this.threadRoot(manager, input.inReplyToId);
      const reviewId = input.reviewId ?? (await singleCommentReview(manager, root.issueId, input.authorId));
      const [row] = rowsOf(
        await manager.query(
          `INSERT INTO review_comments (review_id, issue_id, author_id, path, line, side, body, commit_id, diff_hunk, in_reply_to_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *`,
          [
            reviewId,
            root.issueId,
            input.authorId,
            root.path,
            root.line,
            root.side,
            input.body,
            root.commitId,
            root.diffHunk,
            root.id,
          ],
        ),
      );
      return hydrate(manager, ReviewComment, row);
    });
  }

  /** The comment, or null. */
  async getById(id: number, tx?: Tx): Promise<ReviewComment | null> {
    return (tx ?? this.db.manager).findOneBy(ReviewComment, { id: parseInput(idSchema, id) });
  }

  async updateBody(id: number, body: string, tx?: Tx): Promise<ReviewComment> {
    const input = parseInput(z.object({ id: idSchema, body: commentBodySchema }), { id, body });
    return this.write(
      input.id,
      'UPDATE review_comments SET body = $2 WHERE id = $1 RETURNING *',
      [input.id, input.body],
      tx,
    );
  }

  /** Deletes the comment (a root takes its replies along); false when it did not exist. */
  async delete(id: number, tx?: Tx): Promise<boolean> {
    const commentId = parseInput(idSchema, id);
    return inTransaction(tx ?? this.db, async (manager) => {
      return (
        rowsOf(await manager.query('DELETE FROM review_comments WHERE id = $1 RETURNING id', [commentId])).length > 0
      );
    });
  }

  /** Marks the thread of `commentId` resolved by `userId` (an already resolved thread keeps who and when). */
  async resolve(commentId: number, userId: number, tx?: Tx): Promise<ReviewComment> {
    const input = parseInput(z.object({ commentId: idSchema, userId: idSchema }), { commentId, userId });
    return inTransaction(tx ?? this.db, async (manager) => {
      const root = await this.threadRoot(manager, input.commentId);
      return this.write(
        root.id,
        `UPDATE review_comments SET resolved_by_id = coalesce(resolved_by_id, $2), resolved_at = coalesce(resolved_at, now())
          WHERE id = $1 RETURNING *`,
        [root.id, input.userId],
        manager,
      );
    });
  }

  async unresolve(commentId: number, tx?: Tx): Promise<ReviewComment> {
    const id = parseInput(idSchema, commentId);
    return inTransaction(tx ?? this.db, async (manager) => {
      const root = await this.threadRoot(manager, id);
      return this.write(
        root.id,
        'UPDATE review_comments SET resolved_by_id = NULL, resolved_at = NULL WHERE id = $1 RETURNING *',
        [root.id],
        manager,
      );
    });
  }

  /** The threads of a pull request, by file and line, each with its replies oldest first. */
  async listThreads(issueId: number, tx?: Tx): Promise<ReviewThread[]> {
    const manager = tx ?? this.db.manager;
    const rows = rowsOf(
      await manager.query(
        'SELECT * FROM review_comments WHERE issue_id = $1 ORDER BY path, line NULLS FIRST, created_at, id',
        [parseInput(idSchema, issueId)],
      ),
    );
    const comments = rows.map((row) => hydrate(manager, ReviewComment, row));
    const threads = new Map<number, ReviewThread>();
    for (const comment of comments)
      if (comment.inReplyToId === null) threads.set(comment.id, { root: comment, replies: [] });
    for (const comment of comments)
      if (comment.inReplyToId !== null) threads.get(comment.inReplyToId)?.replies.push(comment);
    return [...threads.values()];
  }

  private async threadRoot(manager: Tx, commentId: number): Promise<ReviewComment> {
    const [row] = rowsOf(
      await manager.query(
        `SELECT root.* FROM review_comments c JOIN review_comments root ON root.id = coalesce(c.in_reply_to_id, c.id) WHERE c.id = $1`,
        [commentId],
      ),
    );
    if (!row) throw new NotFoundError(`review comment ${commentId} does not exist`, { field: 'commentId' });
    return hydrate(manager, ReviewComment, row);
  }

  private async write(id: number, sql: string, params: unknown[], tx?: Tx): Promise<ReviewComment> {
    return inTransaction(tx ?? this.db, async (manager) => {
      const [row] = rowsOf(await manager.query(sql, params));
      if (!row) throw new NotFoundError(`review comment ${id} does not exist`, { field: 'id' });
      return hydrate(manager, ReviewComment, row);
    });
  }
}

/** A reply outside a review becomes a submitted "commented" review of its own, as on GitHub. */
async function singleCommentReview(manager: Tx, issueId: number, authorId: number): Promise<number> {
  const [review] = rowsOf(
    await manager.query(
      `INSERT INTO reviews (issue_id, reviewer_id, state, submitted_at) VALUES ($1, $2, 'commented', now()) RETURNING id`,
      [issueId, authorId],
    ),
  );
  await recordIssueEvent(manager, issueId, authorId, 'reviewed', { reviewId: Number(review.id), state: 'commented' });
  return Number(review.id);
}
