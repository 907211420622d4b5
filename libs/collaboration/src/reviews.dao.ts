import { z } from 'zod';
import type { DataSource } from 'typeorm';
import { ConflictError, inTransaction, InvalidValueError, NotFoundError, parseInput, type Tx, hydrate } from '@plue/db';
import { Review } from './entities/review.entity';
import { rowsOf } from './result-rows';
import { recordIssueEvent } from './issue-events.dao';
import { gitObjectIdSchema, idSchema, textSchema } from './validation';

const verdictSchema = z.enum(['approved', 'changes_requested', 'commented']);
const bodySchema = textSchema(0, 65536);

const createReviewSchema = z
  .object({
    /** The pull request's issue. */
    issueId: idSchema,
    reviewerId: idSchema,
    /** Leave out (or 'pending') for a draft to which comments are added before submitting. */
    state: z.union([z.literal('pending'), verdictSchema]).default('pending'),
    body: bodySchema.default(''),
    commitId: gitObjectIdSchema.nullable().default(null),
    /** The reviewer had write access when submitting: the review counts toward required approvals. */
    official: z.boolean().default(false),
  })
  .strict();
export type CreateReview = z.input<typeof createReviewSchema>;

const submitSchema = z
  .object({ state: verdictSchema, body: bodySchema.optional(), official: z.boolean().optional() })
  .strict();
export type SubmitReview = z.input<typeof submitSchema>;

const approvalOptionsSchema = z
  .object({ officialOnly: z.boolean().default(false), excludeStale: z.boolean().default(false) })
  .strict();
export type ApprovalOptions = z.input<typeof approvalOptionsSchema>;

/** Who holds which current verdict on a pull request; each list ascending, a reviewer in one list at most. */
export interface CurrentVerdicts {
  /** Reviewers whose verdict approves the current head. */
  approverIds: number[];
  /** Reviewers whose verdict approves an older head (the head moved since). */
  staleApproverIds: number[];
  /** Reviewers whose verdict requests changes, on the current head or an older one. */
  rejecterIds: number[];
}

/**
 * Each reviewer's current verdict on a pull request: their latest submitted review that is a verdict
 * (approved, changes_requested or dismissed). A comment-only review does not change a verdict, and a
 * dismissed review withdraws it (an earlier approval does not come back).
 */
const LATEST_VERDICTS = `
  SELECT DISTINCT ON (reviewer_id) reviewer_id, state, official, stale
    FROM reviews
   WHERE issue_id = $1 AND state IN ('approved', 'changes_requested', 'dismissed')
   ORDER BY reviewer_id, submitted_at DESC, id DESC`;

/**
 * Pull-request reviews: a pending draft (at most one per reviewer and pull request) is submitted
 * as approved, changes_requested or commented; a submitted review may be dismissed. Submitting and
 * dismissing record reviewed / review_dismissed events. currentVerdicts feeds the merge check (the
 * service sends the reviewers to git, which knows who has write access).
 */
export class ReviewsDao {
  constructor(private readonly db: DataSource) {}

  /** Starts a review (pending), or records a submitted one directly when `state` is a verdict. */
  async create(data: CreateReview, tx?: Tx): Promise<Review> {
    const input = parseInput(createReviewSchema, data);
    return inTransaction(tx ?? this.db, async (manager) => {
      await requirePullRequest(manager, input.issueId);
      const submitted = input.state !== 'pending';
      const [row] = rowsOf(
        await manager.query(
          `INSERT INTO reviews (issue_id, reviewer_id, state, body, commit_id, official, submitted_at)
           VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $7 THEN now() END) RETURNING *`,
          [input.issueId, input.reviewerId, input.state, input.body, input.commitId, input.official, submitted],
        ),
      );
      if (submitted)
        await recordIssueEvent(manager, input.issueId, input.reviewerId, 'reviewed', {
          reviewId: row.id,
          state: input.state,
        });
      return hydrate(manager, Review, row);
    });
  }

  /** The review, or null. */
  async getById(id: number, tx?: Tx): Promise<Review | null> {
    return (tx ?? this.db.manager).findOneBy(Review, { id: parseInput(idSchema, id) });
  }

  /** The reviews of a pull request, oldest first. */
  async list(issueId: number, tx?: Tx): Promise<Review[]> {
    return (tx ?? this.db.manager).find(Review, {
      where: { issueId: parseInput(idSchema, issueId) },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
  }

  /** Submits a pending review. ConflictError when it is not pending. */
  async submit(id: number, data: SubmitReview, tx?: Tx): Promise<Review> {
    const reviewId = parseInput(idSchema, id);
    const input = parseInput(submitSchema, data);
    return inTransaction(tx ?? this.db, async (manager) => {
      const current = await this.lock(manager, reviewId);
      if (current.state !== 'pending')
        throw new ConflictError(`review ${reviewId} is already submitted`, { field: 'id' });
      const [row] = rowsOf(
        await manager.query(
          `UPDATE reviews SET state = $2, body = coalesce($3, body), official = coalesce($4, official), submitted_at = now()
            WHERE id = $1 RETURNING *`,
          [reviewId, input.state, input.body ?? null, input.official ?? null],
        ),
      );
      await recordIssueEvent(manager, current.issueId, current.reviewerId, 'reviewed', {
        reviewId,
        state: input.state,
      });
      return hydrate(manager, Review, row);
    });
  }

  /** Dismisses a submitted review: its verdict no longer counts. ConflictError for a pending or dismissed review. */
  async dismiss(id: number, actorId: number | null, reason = '', tx?: Tx): Promise<Review> {
    const input = parseInput(z.object({ id: idSchema, actorId: idSchema.nullable(), reason: textSchema(0, 1024) }), {
      id,
      actorId,
      reason,
    });
    return inTransaction(tx ?? this.db, async (manager) => {
      const current = await this.lock(manager, input.id);
      if (current.state === 'pending' || current.state === 'dismissed') {
        throw new ConflictError(`review ${input.id} is ${current.state} and cannot be dismissed`, { field: 'id' });
      }
      const [row] = rowsOf(
        await manager.query(`UPDATE reviews SET state = 'dismissed' WHERE id = $1 RETURNING *`, [input.id]),
      );
      await recordIssueEvent(manager, current.issueId, input.actorId, 'review_dismissed', {
        reviewId: input.id,
        reviewerId: current.reviewerId,
        previousState: current.state,
        reason: input.reason,
      });
      return hydrate(manager, Review, row);
    });
  }

  /** Deletes a pending review (with its comments); false when there was none. */
  async deletePending(id: number, tx?: Tx): Promise<boolean> {
    const reviewId = parseInput(idSchema, id);
    return inTransaction(tx ?? this.db, async (manager) => {
      return (
        rowsOf(await manager.query(`DELETE FROM reviews WHERE id = $1 AND state = 'pending' RETURNING id`, [reviewId]))
          .length > 0
      );
    });
  }

  /** Reviewers whose current verdict is an approval (optionally only official, non-stale ones). */
  async countApprovals(issueId: number, options: ApprovalOptions = {}, tx?: Tx): Promise<number> {
    const id = parseInput(idSchema, issueId);
    const input = parseInput(approvalOptionsSchema, options);
    const [row] = rowsOf(
      await (tx ?? this.db.manager).query(
        `SELECT count(*)::int AS approvals FROM (${LATEST_VERDICTS}) v
          WHERE v.state = 'approved' AND (v.official OR NOT $2) AND (NOT v.stale OR NOT $3)`,
        [id, input.officialOnly, input.excludeStale],
      ),
    );
    return Number(row.approvals);
  }

  /** The reviewers by current verdict, in one query (dismissed verdicts are in no list). */
  async currentVerdicts(issueId: number, tx?: Tx): Promise<CurrentVerdicts> {
    const rows = rowsOf(
      await (tx ?? this.db.manager).query(
        `SELECT v.reviewer_id, v.state, v.stale FROM (${LATEST_VERDICTS}) v
          WHERE v.state IN ('approved', 'changes_requested')
          ORDER BY v.reviewer_id`,
        [parseInput(idSchema, issueId)],
      ),
    );
    const verdicts: CurrentVerdicts = { approverIds: [], staleApproverIds: [], rejecterIds: [] };
    for (const row of rows) {
      const list =
        row.state === 'changes_requested'
          ? verdicts.rejecterIds
          : row.stale === true
            ? verdicts.staleApproverIds
            : verdicts.approverIds;
      list.push(Number(row.reviewer_id));
    }
    return verdicts;
  }

  /** Whether some reviewer's current verdict is "changes requested". */
  async hasChangesRequested(issueId: number, tx?: Tx): Promise<boolean> {
    const [row] = rowsOf(
      await (tx ?? this.db.manager).query(
        `SELECT EXISTS (SELECT FROM (${LATEST_VERDICTS}) v WHERE v.state = 'changes_requested') AS requested`,
        [parseInput(idSchema, issueId)],
      ),
    );
    return row.requested === true;
  }

  private async lock(manager: Tx, id: number): Promise<Review> {
    const [row] = rowsOf(await manager.query('SELECT * FROM reviews WHERE id = $1 FOR NO KEY UPDATE', [id]));
    if (!row) throw new NotFoundError(`review ${id} does not exist`, { field: 'id' });
    return hydrate(manager, Review, row);
  }
}

/** Reviews belong to pull requests only. */
async function requirePullRequest(manager: Tx, issueId: number): Promise<void> {
  const [row] = rowsOf(await manager.query('SELECT is_pull FROM issues WHERE id = $1', [issueId]));
  if (!row) throw new NotFoundError(`pull request ${issueId} does not exist`, { field: 'issueId' });
  if (row.is_pull !== true) throw new InvalidValueError(`issue ${issueId} is not a pull request`, { field: 'issueId' });
}
