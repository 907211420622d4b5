import type { Client } from 'pg';
import { useTestDatabase } from '@plue/testing';
import { seedCommonQueries, seedIndexStatements } from './seed-note';

const database = useTestDatabase();
let db: Client;

beforeAll(async () => {
  db = await database().connect();
  await db.query(`
    INSERT INTO users (username) VALUES ('alice'), ('bob');
    INSERT INTO repositories (user_id, name) SELECT id, unnest(ARRAY['plue', 'zig']) FROM users WHERE username = 'alice';
    INSERT INTO issues (repo_id, author_id, title) SELECT r.id, r.user_id, 'First issue' FROM repositories r WHERE r.name = 'plue';
    INSERT INTO labels (repo_id, name, color) SELECT id, unnest(ARRAY['bug', 'ui']), '#d73a4a' FROM repositories WHERE name = 'plue';
    INSERT INTO issue_labels (issue_id, label_id) SELECT i.id, l.id FROM issues i CROSS JOIN labels l;
    INSERT INTO workflow_definitions (repo_id, name, file_path, content_hash)
      SELECT id, 'ci', '.plue/workflows/ci.yml', repeat('a', 64) FROM repositories WHERE name = 'plue';
    INSERT INTO workflow_runs (repo_id, definition_id, trigger_type)
      SELECT repo_id, id, 'push' FROM workflow_definitions, generate_series(1, 25);
  `);
});

async function firstId(query: string, value: string): Promise<number> {
  const { rows } = await db.query(query, [value]);
  return Number(rows[0].id);
}

describe("the seed note's common queries, verbatim", () => {
  const queries = seedCommonQueries();

  it('finds the three queries in the seed note', () => {
    expect([...queries.keys()]).toEqual(['Get user with repos', 'Get issue with labels', 'Recent workflow runs']);
  });

  it('gets a user with their repositories', async () => {
    const { rows } = await db.query(queries.get('Get user with repos')!, ['alice']);
    expect(rows).toHaveLength(1);
    expect(rows[0].username).toBe('alice');
    expect([...rows[0].repos].sort()).toEqual(['plue', 'zig']);
  });

  it('gets an issue with its labels', async () => {
    const issueId = await firstId('SELECT id FROM issues WHERE title = $1', 'First issue');
    const { rows } = await db.query(queries.get('Get issue with labels')!, [issueId]);
    expect(rows).toHaveLength(1);
    expect(rows[0].issue_number).toBe('1');
    expect([...rows[0].labels].sort()).toEqual(['bug', 'ui']);
  });

  it('lists the 20 most recent workflow runs with their workflow name', async () => {
    const repoId = await firstId('SELECT id FROM repositories WHERE name = $1', 'plue');
    const { rows } = await db.query(queries.get('Recent workflow runs')!, [repoId]);
    expect(rows).toHaveLength(20);
    expect(new Set(rows.map((row) => row.workflow_name))).toEqual(new Set(['ci']));
  });
});

describe("the seed note's CREATE INDEX statements, verbatim", () => {
  const statements = seedIndexStatements();

  it('finds the five statements in the seed note', () => {
    expect(statements).toHaveLength(5);
  });

  it.each(statements)('%s', async (statement) => {
    await db.query(statement);
    const name = statement.match(/CREATE INDEX (\w+)/)![1];
    const { rows } = await db.query('SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass($1)', [name]);
    expect(rows).toEqual([{ indisvalid: true }]);
  });
});
