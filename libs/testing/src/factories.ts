import { randomBytes } from 'node:crypto';
import { escapeIdentifier, type Client, type PoolClient } from 'pg';

// Rows for tests, inserted as the superuser so a test can set up any domain's data before it
// exercises one service's DAO under that service's role. Every factory takes overrides and returns
// the inserted row with bigint columns as numbers.

type Db = Client | PoolClient;
type Row = Record<string, unknown>;

let sequence = 0;
/** A value unique within the test run (usernames, repository names, ...). */
export function unique(prefix: string): string {
  sequence += 1;
  return `${prefix}${sequence}${randomBytes(3).toString('hex')}`;
}

async function insert(db: Db, table: string, values: Row): Promise<Row> {
  const columns = Object.keys(values);
  const { rows } = await db.query(
    `INSERT INTO ${escapeIdentifier(table)} (${columns.map(escapeIdentifier).join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING *`,
    columns.map((column) => values[column]),
  );
  return withNumericIds(rows[0]);
}

function withNumericIds(row: Row): Row {
  const converted: Row = {};
  for (const [key, value] of Object.entries(row)) {
    converted[key] =
      typeof value === 'string' && (key === 'id' || key.endsWith('_id') || key.endsWith('_number'))
        ? Number(value)
        : value;
  }
  return converted;
}

export function insertUser(db: Db, overrides: Row = {}): Promise<Row> {
  return insert(db, 'users', { username: unique('user-'), ...overrides });
}

export async function insertRepository(db: Db, overrides: Row = {}): Promise<Row> {
  const userId = overrides.user_id ?? (await insertUser(db)).id;
  return insert(db, 'repositories', { name: unique('repo-'), ...overrides, user_id: userId });
}

export async function insertIssue(db: Db, repo: Row, overrides: Row = {}): Promise<Row> {
  return insert(db, 'issues', { repo_id: repo.id, author_id: repo.user_id, title: unique('Issue '), ...overrides });
}

export function insertLabel(db: Db, repo: Row, overrides: Row = {}): Promise<Row> {
  return insert(db, 'labels', { repo_id: repo.id, name: unique('label-'), color: '#0e8a16', ...overrides });
}

export function insertWorkflowDefinition(db: Db, repo: Row, overrides: Row = {}): Promise<Row> {
  return insert(db, 'workflow_definitions', {
    repo_id: repo.id,
    name: unique('workflow-'),
    file_path: `.plue/workflows/${unique('wf-')}.yml`,
    content_hash: randomBytes(32).toString('hex'),
    ...overrides,
  });
}

export function insertWorkflowRun(db: Db, definition: Row, overrides: Row = {}): Promise<Row> {
  return insert(db, 'workflow_runs', {
    repo_id: definition.repo_id,
    definition_id: definition.id,
    trigger_type: 'push',
    ...overrides,
  });
}
