import { useTestDatabase } from '@plue/testing';
import { IssuesDao, type IssueListFilters } from '../src';
import { openWorld, type World } from './fixtures';

// Every filter of IssuesDao.list must be served by an index on a large table. The table is seeded
// in bulk (triggers and foreign-key checks off for speed: the rows are consistent by construction),
// analyzed, and each exact statement the DAO would run is EXPLAINed.

const database = useTestDatabase();
let world: World;
let issues: IssuesDao;
const seeded = {} as {
  repoId: number;
  userId: number;
  username: string;
  labelId: number;
  otherLabelId: number;
  milestoneId: number;
};

const REPOSITORIES = 200;
const ISSUES = 200_000;
const USERS = 2_000;

beforeAll(async () => {
  world = await openWorld(database(), 2);
  issues = new IssuesDao(world.db);
  const { admin } = world;
  await admin.query('SET session_replication_role = replica');
  await admin.query(`INSERT INTO users (username) SELECT 'plan-user-' || n FROM generate_series(1, ${USERS}) n`);
  await admin.query(
    `INSERT INTO repositories (user_id, name) SELECT (SELECT min(id) FROM users), 'plan-repo-' || n FROM generate_series(1, ${REPOSITORIES}) n`,
  );
  await admin.query(
    `INSERT INTO labels (repo_id, name, color) SELECT r.id, 'label-' || k, '#00aa00' FROM repositories r, generate_series(0, 9) k`,
  );
  await admin.query(
    `INSERT INTO milestones (repo_id, title) SELECT r.id, 'm' || k FROM repositories r, generate_series(0, 2) k`,
  );
  // Per repository: issue numbers 1..1000; every user attribute is a function of the issue number
  // so that the sample user below (u0 + 10) authors, is assigned to and is mentioned in some issues.
  await admin.query(
    `WITH bounds AS (SELECT (SELECT min(id) FROM repositories) AS r0, (SELECT min(id) FROM users) AS u0)
     INSERT INTO issues (repo_id, issue_number, author_id, title, body, state, is_pull, comment_count, created_at, updated_at, closed_at)
     SELECT r0 + n % ${REPOSITORIES}, k, u0 + k % 100,
            'Issue ' || (ARRAY['crash', 'slow', 'docs', 'login', 'render'])[k % 5 + 1] || ' word' || k,
            'Body of issue about topic' || n % 5000,
            CASE WHEN k % 3 = 0 THEN 'closed' ELSE 'open' END, k % 10 = 9, n % 17,
            t.at, t.at + interval '1 hour', CASE WHEN k % 3 = 0 THEN t.at + interval '2 hours' END
       FROM bounds, generate_series(0, ${ISSUES - 1}) n,
            LATERAL (SELECT n / ${REPOSITORIES} + 1 AS k, now() - n * interval '1 minute' AS at) t`,
  );
  await admin.query(
    `UPDATE issues i SET milestone_id = m.id FROM milestones m
      WHERE i.issue_number % 10 = 0 AND m.repo_id = i.repo_id AND m.title = 'm' || i.issue_number % 3`,
  );
  await admin.query(
    `INSERT INTO issue_labels (issue_id, label_id)
     SELECT i.id, l.id FROM issues i JOIN labels l ON l.repo_id = i.repo_id AND l.name = 'label-' || i.issue_number % 10
      WHERE i.issue_number % 10 < 3
     UNION ALL
     SELECT i.id, l.id FROM issues i JOIN labels l ON l.repo_id = i.repo_id AND l.name = 'label-9' WHERE i.issue_number % 10 = 1`,
  );
  await admin.query(
    `INSERT INTO issue_assignees (issue_id, user_id)
     SELECT i.id, (SELECT min(id) FROM users) + i.issue_number % 50 FROM issues i WHERE i.issue_number % 5 = 0`,
  );
  await admin.query(
    `INSERT INTO comments (issue_id, author_id, body) SELECT i.id, i.author_id, 'A comment' FROM issues i WHERE i.issue_number % 20 = 0`,
  );
  await admin.query(
    `INSERT INTO mentions (target_type, target_id, user_id)
     SELECT 'issue', i.id, (SELECT min(id) FROM users) + i.issue_number % 50 FROM issues i WHERE i.issue_number % 10 = 0
     UNION ALL
     SELECT 'comment', c.id, (SELECT min(id) FROM users) + c.id % 50 FROM comments c WHERE c.id % 2 = 0`,
  );
  await admin.query('SET session_replication_role = origin');
  await admin.query('ANALYZE');

  const { rows } = await admin.query(
    `SELECT r.id AS repo_id,
            (SELECT min(id) + 10 FROM users) AS user_id,
            (SELECT l.id FROM labels l WHERE l.repo_id = r.id AND l.name = 'label-1') AS label_id,
            (SELECT l.id FROM labels l WHERE l.repo_id = r.id AND l.name = 'label-9') AS other_label_id,
            (SELECT m.id FROM milestones m WHERE m.repo_id = r.id AND m.title = 'm1') AS milestone_id
       FROM repositories r ORDER BY r.id OFFSET 100 LIMIT 1`,
  );
  const { rows: names } = await admin.query('SELECT username FROM users WHERE id = $1', [rows[0].user_id]);
  Object.assign(seeded, {
    repoId: Number(rows[0].repo_id),
    userId: Number(rows[0].user_id),
    username: names[0].username,
    labelId: Number(rows[0].label_id),
    otherLabelId: Number(rows[0].other_label_id),
    milestoneId: Number(rows[0].milestone_id),
  });
}, 60_000);
afterAll(() => world.db.destroy());

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

/** Every scan of the plan, as "<node type> on <table> [using <index>]". */
function scans(node: PlanNode): string[] {
  const target = node['Relation Name'] ?? (node['Index Name'] ? '(bitmap)' : undefined);
  const here = target
    ? [`${node['Node Type']} on ${target}${node['Index Name'] ? ` using ${node['Index Name']}` : ''}`]
    : [];
  return [...here, ...(node.Plans ?? []).flatMap(scans)];
}

async function planOf(filters: IssueListFilters): Promise<string[]> {
  const { sql, params } = issues.listQuery(seeded.repoId, filters);
  const { rows } = await world.admin.query(`EXPLAIN (FORMAT JSON) ${sql}`, params);
  return scans((rows[0]['QUERY PLAN'] as { Plan: PlanNode }[])[0].Plan);
}

async function planWithoutIndexes(filters: IssueListFilters): Promise<string[]> {
  const { sql, params } = issues.listQuery(seeded.repoId, filters);
  await world.admin.query('BEGIN');
  await world.admin.query(
    'SET LOCAL enable_indexscan = off; SET LOCAL enable_bitmapscan = off; SET LOCAL enable_indexonlyscan = off',
  );
  const { rows } = await world.admin.query(`EXPLAIN (FORMAT JSON) ${sql}`, params);
  await world.admin.query('ROLLBACK');
  return scans((rows[0]['QUERY PLAN'] as { Plan: PlanNode }[])[0].Plan);
}

const FILTERS: [string, () => IssueListFilters][] = [
  ['default (open, newest first)', () => ({})],
  ['state closed', () => ({ state: 'closed' })],
  ['state all', () => ({ state: 'all' })],
  ['pull requests', () => ({ type: 'pull_request' })],
  ['issues and pull requests', () => ({ type: 'all', state: 'all' })],
  ['label by id', () => ({ labels: [seeded.labelId] })],
  ['label by name', () => ({ labels: ['label-1'] })],
  ['two labels', () => ({ labels: [seeded.labelId, 'LABEL-9'] })],
  ['assignee by id', () => ({ assignee: seeded.userId })],
  ['assignee by username', () => ({ assignee: seeded.username })],
  ['author by id', () => ({ author: seeded.userId, state: 'all' })],
  ['author by username', () => ({ author: seeded.username })],
  ['milestone', () => ({ milestone: seeded.milestoneId })],
  ['no milestone', () => ({ milestone: 'none' })],
  ['mentioned user', () => ({ mentioned: seeded.userId, state: 'all' })],
  ['mentioned username', () => ({ mentioned: seeded.username })],
  ['full-text search', () => ({ search: 'crash' })],
  ['full-text phrase', () => ({ search: '"issue slow" -login' })],
  ['full-text rare word', () => ({ search: 'word43' })],
  ['sort updated desc', () => ({ sort: 'updated' })],
  ['sort updated asc', () => ({ sort: 'updated', direction: 'asc' })],
  ['sort comments desc', () => ({ sort: 'comments' })],
  ['sort comments asc, all states', () => ({ sort: 'comments', direction: 'asc', state: 'all' })],
  ['created asc, max page', () => ({ direction: 'asc', limit: 100 })],
  [
    'everything at once',
    () => ({
      labels: ['label-0'],
      assignee: seeded.userId,
      author: seeded.userId,
      milestone: seeded.milestoneId,
      search: 'crash',
      sort: 'comments',
      state: 'all',
    }),
  ],
];

describe('IssuesDao.list on a large table', () => {
  it('would notice a sequential scan of issues (the check is not vacuous)', async () => {
    expect(await planWithoutIndexes({})).toContain('Seq Scan on issues');
  });

  it.each(FILTERS)('%s uses indexes, never a sequential scan of issues', async (_name, filters) => {
    const plan = await planOf(filters());
    expect(plan.filter((scan) => scan.startsWith('Seq Scan on issues'))).toEqual([]);
    expect(plan.some((scan) => scan.includes('on issues'))).toBe(true);
  });

  it.each(FILTERS)('%s, on a later page (keyset cursor), uses indexes too', async (_name, filters) => {
    const first = await issues.list(seeded.repoId, { ...filters(), limit: 5 });
    expect(first.items.length).toBeGreaterThan(0);
    const cursor = first.nextCursor ?? undefined;
    const plan = await planOf({ ...filters(), limit: 5, cursor });
    expect(plan.filter((scan) => scan.startsWith('Seq Scan on issues'))).toEqual([]);
  });
});
