import { z } from 'zod';
import { ValidationError } from '@plue/db';
import { issueColumns } from './issue-columns';
import { idSchema, userRefSchema, type UserRef } from './validation';

export const ISSUE_LIST_DEFAULT_PAGE_SIZE = 30;
export const ISSUE_LIST_MAX_PAGE_SIZE = 100;

/**
 * How an issue list is filtered, sorted and paged, as users of a forge expect. Each filter narrows
 * the list (they combine with AND); `labels` requires every listed label (by id or by name,
 * case-insensitively); users may be named by id or username; `mentioned` covers the issue body and
 * its comments; `search` is full-text over title and body (`websearch_to_tsquery('simple', ...)`:
 * words, "quoted phrases", `or`, `-excluded`).
 */
export const issueListFiltersSchema = z
  .object({
    state: z.enum(['open', 'closed', 'all']).default('open'),
    type: z.enum(['issue', 'pull_request', 'all']).default('issue'),
    labels: z
      .array(z.union([idSchema, z.string().min(1).max(50)]))
      .max(10)
      .default([]),
    assignee: userRefSchema.optional(),
    author: userRefSchema.optional(),
    milestone: z.union([idSchema, z.literal('none')]).optional(),
    mentioned: userRefSchema.optional(),
    search: z.string().trim().min(1).max(256).optional(),
    sort: z.enum(['created', 'updated', 'comments']).default('created'),
    direction: z.enum(['asc', 'desc']).default('desc'),
    limit: z.number().int().min(1).max(ISSUE_LIST_MAX_PAGE_SIZE).default(ISSUE_LIST_DEFAULT_PAGE_SIZE),
    cursor: z.string().max(512).optional(),
  })
  .strict();
export type IssueListFilters = z.input<typeof issueListFiltersSchema>;
export type ParsedIssueListFilters = z.output<typeof issueListFiltersSchema>;
export type IssueSort = ParsedIssueListFilters['sort'];
export type SortDirection = ParsedIssueListFilters['direction'];

/** Where the next page starts: the sort key and id of the last issue of this page. */
interface Cursor {
  sort: IssueSort;
  direction: SortDirection;
  /** The sort key as PostgreSQL printed it (timestamps to the microsecond, in UTC). */
  value: string;
  id: number;
}

const cursorSchema = z
  .object({
    s: z.enum(['created', 'updated', 'comments']),
    d: z.enum(['asc', 'desc']),
    v: z.string().max(40),
    i: idSchema,
  })
  .strict();

const TIMESTAMP_KEY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const COUNT_KEY = /^(0|[1-9]\d{0,9})$/;

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify({ s: cursor.sort, d: cursor.direction, v: cursor.value, i: cursor.id })).toString(
    'base64url',
  );
}

/** Decodes a cursor handed out for the same sort order; anything else is a ValidationError. */
export function decodeCursor(encoded: string, sort: IssueSort, direction: SortDirection): Cursor {
  const refuse = (message: string) => new ValidationError([{ field: 'cursor', message }]);
  if (!/^[A-Za-z0-9_-]+$/.test(encoded)) throw refuse('is not a valid cursor');
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    throw refuse('is not a valid cursor');
  }
  const parsed = cursorSchema.safeParse(decoded);
  if (!parsed.success) throw refuse('is not a valid cursor');
  const { s, d, v, i } = parsed.data;
  if (s !== sort || d !== direction) throw refuse('belongs to a different sort order');
  const keyShape = s === 'comments' ? COUNT_KEY : TIMESTAMP_KEY;
  if (!keyShape.test(v) || (s !== 'comments' && Number.isNaN(Date.parse(v)))) throw refuse('is not a valid cursor');
  return { sort: s, direction: d, value: v, id: i };
}

const SORT_COLUMNS: Record<IssueSort, { column: string; cursorText: string; cast: string }> = {
  created: {
    column: 'i.created_at',
    cursorText: `to_char(i.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
    cast: 'timestamptz',
  },
  updated: {
    column: 'i.updated_at',
    cursorText: `to_char(i.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
    cast: 'timestamptz',
  },
  comments: { column: 'i.comment_count', cursorText: 'i.comment_count::text', cast: 'integer' },
};

export interface IssueListQuery {
  sql: string;
  params: unknown[];
}

/**
 * The one SQL statement that lists a page of issues (page size + 1 rows: the extra row says whether
 * a next page exists). Every filter is a condition on `issues i` that an index serves; the column
 * `cursor_value` is the sort key for the next cursor.
 */
export function buildIssueListQuery(repoId: number, filters: ParsedIssueListFilters, cursor?: Cursor): IssueListQuery {
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const userId = (ref: UserRef) =>
    typeof ref === 'number'
      ? `${param(ref)}::bigint`
      : `(SELECT u.id FROM users u WHERE lower(u.username) = lower(${param(ref)}))`;

  const repo = param(repoId);
  const conditions = [`i.repo_id = ${repo}`];
  if (filters.state !== 'all') conditions.push(`i.state = ${param(filters.state)}`);
  if (filters.type !== 'all') conditions.push(`i.is_pull = ${param(filters.type === 'pull_request')}`);
  for (const label of filters.labels) {
    conditions.push(
      typeof label === 'number'
        ? `EXISTS (SELECT 1 FROM issue_labels il WHERE il.issue_id = i.id AND il.label_id = ${param(label)}::bigint)`
        : `EXISTS (SELECT 1 FROM issue_labels il JOIN labels l ON l.id = il.label_id WHERE il.issue_id = i.id AND l.repo_id = ${repo} AND lower(l.name) = lower(${param(label)}))`,
    );
  }
  if (filters.assignee !== undefined) {
    conditions.push(
      `EXISTS (SELECT 1 FROM issue_assignees ia WHERE ia.issue_id = i.id AND ia.user_id = ${userId(filters.assignee)})`,
    );
  }
  if (filters.author !== undefined) conditions.push(`i.author_id = ${userId(filters.author)}`);
  if (filters.milestone === 'none') conditions.push('i.milestone_id IS NULL');
  else if (filters.milestone !== undefined) conditions.push(`i.milestone_id = ${param(filters.milestone)}::bigint`);
  if (filters.mentioned !== undefined) {
    const mentionedId = userId(filters.mentioned);
    conditions.push(
      `i.id IN (SELECT m.target_id FROM mentions m WHERE m.user_id = ${mentionedId} AND m.target_type = 'issue'` +
        ` UNION SELECT c.issue_id FROM mentions m JOIN comments c ON c.id = m.target_id WHERE m.user_id = ${mentionedId} AND m.target_type = 'comment')`,
    );
  }
  if (filters.search !== undefined)
    conditions.push(`i.search_vector @@ websearch_to_tsquery('simple', ${param(filters.search)})`);

  const sort = SORT_COLUMNS[filters.sort];
  const comparison = filters.direction === 'desc' ? '<' : '>';
  if (cursor) {
    conditions.push(
      `(${sort.column}, i.id) ${comparison} (${param(cursor.value)}::${sort.cast}, ${param(cursor.id)}::bigint)`,
    );
  }
  const direction = filters.direction.toUpperCase();
  const sql =
    `SELECT ${issueColumns('i')}, ${sort.cursorText} AS cursor_value FROM issues i` +
    ` WHERE ${conditions.join(' AND ')}` +
    ` ORDER BY ${sort.column} ${direction}, i.id ${direction}` +
    ` LIMIT ${param(filters.limit + 1)}`;
  return { sql, params };
}
