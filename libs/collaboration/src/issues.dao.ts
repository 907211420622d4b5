import { z } from 'zod';
import type { DataSource } from 'typeorm';
import { ConflictError, inTransaction, NotFoundError, parseInput, type Tx, hydrate } from '@plue/db';
import { Issue } from './entities/issue.entity';
import { rowsOf } from './result-rows';
import { createIssueSchema, openIssue, type CreateIssue } from './issue-creation';
import { issueColumns } from './issue-columns';
import { recordIssueEvent } from './issue-events.dao';
import {
  buildIssueListQuery,
  decodeCursor,
  encodeCursor,
  issueListFiltersSchema,
  type IssueListFilters,
  type IssueListQuery,
} from './issue-list-query';
import { MentionsDao } from './mentions.dao';
import { idSchema, issueBodySchema, titleSchema } from './validation';

const updateIssueSchema = z
  .object({
    /** Who made the change (recorded on the timeline); null for the system. */
    actorId: idSchema.nullable().default(null),
    title: titleSchema.optional(),
    body: issueBodySchema.optional(),
    state: z.enum(['open', 'closed']).optional(),
    milestoneId: idSchema.nullable().optional(),
    isLocked: z.boolean().optional(),
  })
  .strict();
export type UpdateIssue = z.input<typeof updateIssueSchema>;

export interface IssuePage {
  items: Issue[];
  /** Pass as `filters.cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export type IssueWithLabels = Issue & { labels: string[] };

/**
 * Issues (and the issue half of pull requests). Numbers are allocated by the database inside the
 * inserting transaction (gapless per repository, never burned by a failed insert); every write
 * records its timeline events and keeps the body's @-mentions in sync, in one transaction.
 */
export class IssuesDao {
  private readonly mentions: MentionsDao;

  constructor(private readonly db: DataSource) {
    this.mentions = new MentionsDao(db);
  }

  /** The issue, or null. */
  async getById(id: number, tx?: Tx): Promise<Issue | null> {
    return (tx ?? this.db.manager).findOneBy(Issue, { id: parseInput(idSchema, id) });
  }

  /** The issue (or pull request) with this number in the repository, or null. */
  async getByNumber(repoId: number, issueNumber: number, tx?: Tx): Promise<Issue | null> {
    const input = parseInput(z.object({ repoId: idSchema, issueNumber: idSchema }), { repoId, issueNumber });
    return (tx ?? this.db.manager).findOneBy(Issue, input);
  }

  /** The seed's "issue with labels": the issue and its label names (alphabetical), or null. */
  async getWithLabels(issueId: number, tx?: Tx): Promise<IssueWithLabels | null> {
    const manager = tx ?? this.db.manager;
    const [row] = rowsOf(
      await manager.query(
        `SELECT ${issueColumns('i')}, array_remove(array_agg(l.name ORDER BY lower(l.name)), NULL) AS labels
           FROM issues i
           LEFT JOIN issue_labels il ON il.issue_id = i.id
           LEFT JOIN labels l ON l.id = il.label_id
          WHERE i.id = $1
          GROUP BY i.id`,
        [parseInput(idSchema, issueId)],
      ),
    );
    if (!row) return null;
    return Object.assign(hydrate(manager, Issue, row), { labels: row.labels as string[] });
  }

  /**
   * Opens an issue: the row (numbered by the database), its labels and assignees, the `opened`
   * event and the body's mentions, all or nothing.
   */
  async create(data: CreateIssue, tx?: Tx): Promise<Issue> {
    const input = parseInput(createIssueSchema, data);
    return inTransaction(tx ?? this.db, (manager) => openIssue(manager, input, false));
  }

  /**
   * Changes title, body, state, milestone or lock. Closing sets closed_at, reopening clears it;
   * each change is recorded on the timeline (renamed, closed/reopened, milestoned/demilestoned,
   * locked/unlocked) and a new body re-syncs the mentions. Throws NotFoundError for an unknown issue.
   */
  async update(id: number, data: UpdateIssue, tx?: Tx): Promise<Issue> {
    const issueId = parseInput(idSchema, id);
    const input = parseInput(updateIssueSchema, data);
    return inTransaction(tx ?? this.db, async (manager) => {
      const [currentRow] = rowsOf(
        await manager.query(`SELECT ${issueColumns()} FROM issues WHERE id = $1 FOR NO KEY UPDATE`, [issueId]),
      );
      if (!currentRow) throw new NotFoundError(`issue ${issueId} does not exist`, { field: 'id' });
      const current = hydrate(manager, Issue, currentRow);

      const assignments: string[] = [];
      const params: unknown[] = [issueId];
      const set = (column: string, value: unknown) => {
        params.push(value);
        assignments.push(`${column} = $${params.length}`);
      };
      const events: [Parameters<typeof recordIssueEvent>[3], Record<string, unknown>][] = [];

      if (input.title !== undefined && input.title !== current.title) {
        set('title', input.title);
        events.push(['renamed', { from: current.title, to: input.title }]);
      }
      const bodyChanged = input.body !== undefined && input.body !== current.body;
      if (bodyChanged) set('body', input.body);
      if (input.state !== undefined && input.state !== current.state) {
        if (input.state === 'open' && current.isPull && (await isMerged(manager, issueId))) {
          throw new ConflictError(`pull request ${issueId} is merged and cannot be reopened`, { field: 'state' });
        }
        set('state', input.state);
        assignments.push(input.state === 'closed' ? 'closed_at = now()' : 'closed_at = NULL');
        events.push([input.state === 'closed' ? 'closed' : 'reopened', {}]);
      }
      if (input.milestoneId !== undefined && input.milestoneId !== current.milestoneId) {
        set('milestone_id', input.milestoneId);
        if (current.milestoneId !== null) events.push(['demilestoned', { milestoneId: current.milestoneId }]);
        if (input.milestoneId !== null) events.push(['milestoned', { milestoneId: input.milestoneId }]);
      }
      if (input.isLocked !== undefined && input.isLocked !== current.isLocked) {
        set('is_locked', input.isLocked);
        events.push([input.isLocked ? 'locked' : 'unlocked', {}]);
      }
      if (!assignments.length) return current;

      const [row] = rowsOf(
        await manager.query(
          `UPDATE issues SET ${assignments.join(', ')} WHERE id = $1 RETURNING ${issueColumns()}`,
          params,
        ),
      );
      for (const [eventType, payload] of events)
        await recordIssueEvent(manager, issueId, input.actorId, eventType, payload);
      if (bodyChanged) await this.mentions.sync('issue', issueId, input.body ?? '', manager);
      return hydrate(manager, Issue, row);
    });
  }

  /**
   * A page of a repository's issues: filtered, sorted and paged by keyset (see IssueListFilters).
   * Page size: 30 by default, at most 100.
   */
  async list(repoId: number, filters: IssueListFilters = {}, tx?: Tx): Promise<IssuePage> {
    const { query, limit, sort, direction } = this.prepareList(repoId, filters);
    const manager = tx ?? this.db.manager;
    const rows = rowsOf(await manager.query(query.sql, query.params));
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((row) => hydrate(manager, Issue, row)),
      nextCursor:
        rows.length > limit && last
          ? encodeCursor({ sort, direction, value: String(last.cursor_value), id: Number(last.id) })
          : null,
    };
  }

  /** The exact SQL and parameters `list` runs for these arguments (for EXPLAIN and diagnostics). */
  listQuery(repoId: number, filters: IssueListFilters = {}): IssueListQuery {
    return this.prepareList(repoId, filters).query;
  }

  private prepareList(repoId: number, filters: IssueListFilters) {
    const id = parseInput(idSchema, repoId);
    const parsed = parseInput(issueListFiltersSchema, filters);
    const cursor = parsed.cursor === undefined ? undefined : decodeCursor(parsed.cursor, parsed.sort, parsed.direction);
    return {
      query: buildIssueListQuery(id, parsed, cursor),
      limit: parsed.limit,
      sort: parsed.sort,
      direction: parsed.direction,
    };
  }
}

async function isMerged(manager: Tx, issueId: number): Promise<boolean> {
  const [row] = rowsOf(await manager.query('SELECT has_merged FROM pull_requests WHERE issue_id = $1', [issueId]));
  return row?.has_merged === true;
}
