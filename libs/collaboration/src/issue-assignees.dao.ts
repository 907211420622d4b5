import { z } from 'zod';
import type { DataSource } from 'typeorm';
import { ConflictError, inTransaction, NotFoundError, parseInput, type Tx, hydrate } from '@plue/db';
import { IssueAssignee } from './entities/issue-assignee.entity';
import { rowsOf } from './result-rows';
import { recordIssueEvent } from './issue-events.dao';
import { idSchema } from './validation';

/** At most this many users are assigned to one issue (as on GitHub). */
export const MAX_ASSIGNEES_PER_ISSUE = 10;

const assigneesSchema = z.object({
  issueId: idSchema,
  userIds: z.array(idSchema).max(MAX_ASSIGNEES_PER_ISSUE),
  actorId: idSchema.nullable(),
});

/** Users assigned to issues; changes are recorded as assigned/unassigned events. */
export class IssueAssigneesDao {
  constructor(private readonly db: DataSource) {}

  /** Assigns users (already assigned ones are kept); returns the ids newly assigned. */
  async add(issueId: number, userIds: number[], actorId: number | null = null, tx?: Tx): Promise<number[]> {
    const input = parseInput(assigneesSchema, { issueId, userIds, actorId });
    return inTransaction(tx ?? this.db, async (manager) => {
      await lockIssue(manager, input.issueId);
      const added = rowsOf(
        await manager.query(
          `INSERT INTO issue_assignees (issue_id, user_id) SELECT $1, unnest($2::bigint[])
           ON CONFLICT ON CONSTRAINT issue_assignees_pkey DO NOTHING RETURNING user_id`,
          [input.issueId, [...new Set(input.userIds)]],
        ),
      ).map((row) => Number(row.user_id));
      const [{ count }] = rowsOf(
        await manager.query('SELECT count(*)::int AS count FROM issue_assignees WHERE issue_id = $1', [input.issueId]),
      );
      if (Number(count) > MAX_ASSIGNEES_PER_ISSUE) {
        throw new ConflictError(`an issue can have at most ${MAX_ASSIGNEES_PER_ISSUE} assignees`, { field: 'userIds' });
      }
      for (const assigneeId of added)
        await recordIssueEvent(manager, input.issueId, input.actorId, 'assigned', { assigneeId });
      return added;
    });
  }

  /** Unassigns users; returns the ids that were assigned. */
  async remove(issueId: number, userIds: number[], actorId: number | null = null, tx?: Tx): Promise<number[]> {
    const input = parseInput(assigneesSchema, { issueId, userIds, actorId });
    return inTransaction(tx ?? this.db, async (manager) => {
      await lockIssue(manager, input.issueId);
      const removed = rowsOf(
        await manager.query(
          'DELETE FROM issue_assignees WHERE issue_id = $1 AND user_id = ANY($2::bigint[]) RETURNING user_id',
          [input.issueId, input.userIds],
        ),
      ).map((row) => Number(row.user_id));
      for (const assigneeId of removed)
        await recordIssueEvent(manager, input.issueId, input.actorId, 'unassigned', { assigneeId });
      return removed;
    });
  }

  async list(issueId: number, tx?: Tx): Promise<IssueAssignee[]> {
    const manager = tx ?? this.db.manager;
    const rows = rowsOf(
      await manager.query('SELECT * FROM issue_assignees WHERE issue_id = $1 ORDER BY created_at, user_id', [
        parseInput(idSchema, issueId),
      ]),
    );
    return rows.map((row) => hydrate(manager, IssueAssignee, row));
  }
}

/** Assignment changes of one issue queue up, so the per-issue limit holds under concurrency. */
async function lockIssue(manager: Tx, issueId: number): Promise<void> {
  const rows = rowsOf(await manager.query('SELECT 1 FROM issues WHERE id = $1 FOR NO KEY UPDATE', [issueId]));
  if (!rows.length) throw new NotFoundError(`issue ${issueId} does not exist`, { field: 'issueId' });
}
