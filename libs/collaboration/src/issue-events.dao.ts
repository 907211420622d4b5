import { z } from 'zod';
import type { DataSource } from 'typeorm';
import { inTransaction, parseInput, type Tx, hydrate } from '@plue/db';
import { IssueEvent, ISSUE_EVENT_TYPES, type IssueEventType } from './entities/issue-event.entity';
import { rowsOf } from './result-rows';
import { idSchema } from './validation';

const appendSchema = z.object({
  issueId: idSchema,
  actorId: idSchema.nullable().default(null),
  eventType: z.enum(ISSUE_EVENT_TYPES),
  payload: z.record(z.string(), z.unknown()).default({}),
});
export type AppendIssueEvent = z.input<typeof appendSchema>;

const listSchema = z.object({
  issueId: idSchema,
  limit: z.number().int().min(1).max(250).default(100),
  afterId: idSchema.optional(),
});

/** The timeline of issues and pull requests (comments are their own table). */
export class IssueEventsDao {
  constructor(private readonly db: DataSource) {}

  async append(event: AppendIssueEvent, tx?: Tx): Promise<IssueEvent> {
    const input = parseInput(appendSchema, event);
    return inTransaction(tx ?? this.db, async (manager) => {
      const [row] = rowsOf(
        await manager.query(
          'INSERT INTO issue_events (issue_id, actor_id, event_type, payload) VALUES ($1, $2, $3, $4) RETURNING *',
          [input.issueId, input.actorId, input.eventType, input.payload],
        ),
      );
      return hydrate(manager, IssueEvent, row);
    });
  }

  /** Events of an issue in the order they happened; page on with `afterId` (the last id seen). */
  async listForIssue(
    issueId: number,
    options: { limit?: number; afterId?: number } = {},
    tx?: Tx,
  ): Promise<IssueEvent[]> {
    const input = parseInput(listSchema, { issueId, ...options });
    const manager = tx ?? this.db.manager;
    const rows = rowsOf(
      await manager.query(
        `SELECT * FROM issue_events
          WHERE issue_id = $1
            AND ($2::bigint IS NULL OR (created_at, id) > (SELECT created_at, id FROM issue_events WHERE id = $2))
          ORDER BY created_at, id
          LIMIT $3`,
        [input.issueId, input.afterId ?? null, input.limit],
      ),
    );
    return rows.map((row) => hydrate(manager, IssueEvent, row));
  }
}

/** Appends one event inside the caller's transaction (used by the other DAOs). */
export async function recordIssueEvent(
  manager: Tx,
  issueId: number,
  actorId: number | null,
  eventType: IssueEventType,
  payload: Record<string, unknown> = {},
): Promise<void> {
  await manager.query('INSERT INTO issue_events (issue_id, actor_id, event_type, payload) VALUES ($1, $2, $3, $4)', [
    issueId,
    actorId,
    eventType,
    payload,
  ]);
}
