import { z } from 'zod';
import type { DataSource } from 'typeorm';
import { inTransaction, parseInput, type Tx } from '@plue/db';
import { rowsOf } from './result-rows';
import { idSchema } from './validation';

const reassignSchema = z
  .object({ fromUserId: idSchema, toUserId: idSchema })
  .refine((input) => input.fromUserId !== input.toUserId, {
    message: 'must differ from fromUserId',
    path: ['toUserId'],
  });

/** Rows moved (or, where the target user already had the same row, merged away) per table and column. */
export type ReassignmentCounts = Record<string, number>;

// Plain "who did it" columns: moved as they are.
const PLAIN_COLUMNS: [table: string, column: string][] = [
  ['issues', 'author_id'],
  ['comments', 'author_id'],
  ['pull_requests', 'merged_by'],
  ['reviews', 'reviewer_id'],
  ['review_comments', 'author_id'],
  ['review_comments', 'resolved_by_id'],
  ['issue_events', 'actor_id'],
];

/**
 * Hands a user's collaboration content to another user (the `ghost` user when an account is
 * deleted, DESIGN.md flow 6), in one transaction. Where the target already has the same row (an
 * assignment, a reaction, a mention), the duplicate is dropped instead of violating the unique key.
 * The deleted user's pending (unsubmitted, private) reviews are deleted rather than handed over.
 */
export class UserReassignmentDao {
  constructor(private readonly db: DataSource) {}

  async reassignUser(fromUserId: number, toUserId: number, tx?: Tx): Promise<ReassignmentCounts> {
    const { fromUserId: from, toUserId: to } = parseInput(reassignSchema, { fromUserId, toUserId });
    return inTransaction(tx ?? this.db, async (manager) => {
      const counts: ReassignmentCounts = {};
      const run = async (key: string, sql: string, params: number[] = [from, to]) => {
        counts[key] = rowsOf(await manager.query(sql, params)).length;
      };

      await run(
        'reviews.pending_deleted',
        `DELETE FROM reviews WHERE reviewer_id = $1 AND state = 'pending' RETURNING id`,
        [from],
      );
      for (const [table, column] of PLAIN_COLUMNS) {
        await run(`${table}.${column}`, `UPDATE ${table} SET ${column} = $2 WHERE ${column} = $1 RETURNING 1`);
      }
      await run(
        'issue_assignees.user_id',
        `WITH moved AS (DELETE FROM issue_assignees WHERE user_id = $1 RETURNING issue_id, created_at)
         INSERT INTO issue_assignees (issue_id, user_id, created_at) SELECT issue_id, $2, created_at FROM moved
         ON CONFLICT ON CONSTRAINT issue_assignees_pkey DO NOTHING RETURNING 1`,
      );
      await run(
        'reactions.user_id',
        `UPDATE reactions r SET user_id = $2 WHERE r.user_id = $1
            AND NOT EXISTS (SELECT FROM reactions t WHERE t.user_id = $2 AND t.target_type = r.target_type
                                                       AND t.target_id = r.target_id AND t.content = r.content)
         RETURNING 1`,
      );
      await run(
        'mentions.user_id',
        `UPDATE mentions m SET user_id = $2 WHERE m.user_id = $1
            AND NOT EXISTS (SELECT FROM mentions t WHERE t.user_id = $2 AND t.target_type = m.target_type AND t.target_id = m.target_id)
         RETURNING 1`,
      );
      // What is left are duplicates of rows the target user already had.
      await run('reactions.merged', 'DELETE FROM reactions WHERE user_id = $1 RETURNING 1', [from]);
      await run('mentions.merged', 'DELETE FROM mentions WHERE user_id = $1 RETURNING 1', [from]);
      return counts;
    });
  }
}
