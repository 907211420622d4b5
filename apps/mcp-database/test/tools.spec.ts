import { createHash, randomBytes } from 'node:crypto';
import type { Client } from 'pg';
import { insertIssue, insertLabel, insertRepository, insertUser, useTestDatabase } from '@plue/testing';
import { startInProcess, type InProcessServer } from './helpers';

// The five tools through the SDK's own client, as plue_readonly, on the migrated schema with a few
// rows of each domain.

const database = useTestDatabase();
let admin: Client;
let server: InProcessServer;
const secrets: string[] = [];

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

beforeAll(async () => {
  admin = await database().connect();
  const alice = await insertUser(admin, { username: 'alice', email: 'alice@example.com', display_name: 'Alice' });
  await insertUser(admin, { username: 'Alice-Smith' });
  await insertUser(admin, { username: 'alicez' });
  await insertUser(admin, { username: 'alicia' });
  await insertUser(admin, { username: 'bob' });
  for (let i = 0; i < 12; i++) await insertUser(admin, { username: `al${i}` });
  const repo = await insertRepository(admin, { user_id: alice.id, name: 'forge' });
  await insertIssue(admin, repo, { title: 'First issue' });
  await insertLabel(admin, repo, { name: 'bug' });

  const tokenHash = sha256(randomBytes(32).toString('hex'));
  const sessionKey = sha256(randomBytes(32).toString('hex'));
  const nonce = sha256(randomBytes(32).toString('hex'));
  secrets.push(tokenHash, sessionKey, nonce);
  await admin.query(
    `INSERT INTO access_tokens (user_id, name, token_hash, token_last_eight, scopes, expires_at)
     VALUES ($1, 'ci', $2, 'abcd1234', ARRAY['repo:read'], now() + interval '1 day')`,
    [alice.id, tokenHash],
  );
  await admin.query(
    `INSERT INTO auth_sessions (session_key, user_id, expires_at) VALUES ($1, $2, now() + interval '1 day')`,
    [sessionKey, alice.id],
  );
  await admin.query(`INSERT INTO siwe_nonces (nonce, expires_at) VALUES ($1, now() + interval '5 minutes')`, [nonce]);
  await admin.query(
    `INSERT INTO email_addresses (user_id, email, is_primary, is_verified) VALUES ($1, 'alice@example.com', true, true)`,
    [alice.id],
  );
  await admin.query(
    `INSERT INTO ssh_keys (user_id, name, fingerprint, public_key, key_type)
     VALUES ($1, 'laptop', 'SHA256:' || rpad('A', 43, 'b'), 'ssh-ed25519 AAAA', 'ssh-ed25519')`,
    [alice.id],
  );
  server = await startInProcess({ DATABASE_URL: database().urlFor('plue_readonly') });
});

afterAll(async () => {
  await server?.close();
});

describe('the tool list', () => {
  it('has the five tools, each with input and output schemas and read-only annotations', async () => {
    const { tools } = await server.client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([
      'db_stats',
      'describe_table',
      'find_user',
      'list_tables',
      'query',
    ]);
    for (const tool of tools) {
      expect(tool.description).toEqual(expect.any(String));
      expect(tool.inputSchema.type).toBe('object');
      expect(tool.outputSchema?.type).toBe('object');
      expect(tool.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false, openWorldHint: false });
    }
    const query = tools.find((tool) => tool.name === 'query')!;
    expect(query.inputSchema.required).toEqual(['sql']);
    expect(Object.keys(query.inputSchema.properties ?? {})).toEqual(['sql', 'max_rows']);
    expect(Object.keys(query.outputSchema?.properties ?? {})).toEqual(
      expect.arrayContaining(['columns', 'rows', 'row_count', 'truncated', 'limits']),
    );
    expect(tools.find((tool) => tool.name === 'describe_table')!.inputSchema.required).toEqual(['table']);
    expect(tools.find((tool) => tool.name === 'find_user')!.inputSchema.required).toEqual(['username']);
  });
});

describe('query', () => {
  it('runs the seed note example and returns columns with types, rows and limits', async () => {
    const result = await server.ok<{
      statement: string;
      columns: { name: string; type: string }[];
      rows: unknown[][];
      row_count: number;
      truncated: boolean;
      limits: Record<string, number>;
    }>('query', { sql: 'SELECT * FROM users ORDER BY id LIMIT 5' });
    expect(result.statement).toBe('SELECT');
    expect(result.columns.slice(0, 3)).toEqual([
      { name: 'id', type: 'bigint' },
      { name: 'username', type: 'text' },
      { name: 'wallet_address', type: 'text' },
    ]);
    expect(result.row_count).toBe(5);
    expect(result.rows[0].slice(0, 2)).toEqual([expect.stringMatching(/^\d+$/), 'alice']);
    expect(result.truncated).toBe(false);
    expect(result.limits).toEqual({
      max_rows: 100,
      max_cell_chars: 2000,
      max_response_bytes: 256 * 1024,
      statement_timeout_ms: 15_000,
    });
  });

  it("runs the seed note's common queries", async () => {
    const result = await server.ok<{ rows: unknown[][] }>('query', {
      sql: `SELECT u.id, u.username, array_agg(r.name) as repos
              FROM users u LEFT JOIN repositories r ON r.user_id = u.id
             WHERE u.username = 'alice' GROUP BY u.id`,
    });
    expect(result.rows).toEqual([[expect.any(String), 'alice', ['forge']]]);
  });

  it('refuses the secret columns of plue_readonly with an actionable error', async () => {
    const error = await server.refused('query', { sql: 'SELECT * FROM access_tokens' });
    expect(error).toMatchObject({ kind: 'database', sqlstate: '42501' });
    expect(error.hint).toContain('secret columns');
    const named = await server.ok<{ rows: unknown[][] }>('query', {
      sql: 'SELECT name, token_last_eight, scopes FROM access_tokens',
    });
    expect(named.rows).toEqual([['ci', 'abcd1234', ['repo:read']]]);
  });
});

describe('list_tables', () => {
  it('lists tables and views of every schema with kind, estimated rows and size', async () => {
    const result = await server.ok<{ tables: Record<string, unknown>[]; count: number }>('list_tables');
    const users = result.tables.find((table) => table.schema === 'public' && table.name === 'users');
    expect(users).toMatchObject({
      kind: 'table',
      estimated_rows: expect.any(Number),
      total_bytes: expect.any(Number),
      size: expect.stringMatching(/bytes|kB|MB/),
      access: 'all columns',
    });
    expect(result.tables.find((table) => table.name === 'access_tokens')).toMatchObject({ access: 'some columns' });
    expect(result.tables.some((table) => table.schema === 'git' && table.name === 'outbox')).toBe(true);
    expect(result.tables.some((table) => table.schema === 'pg_catalog')).toBe(false);
    expect(result.count).toBe(result.tables.length);
  });

  it('lists one schema, and names the schemas when asked for one that does not exist', async () => {
    const git = await server.ok<{ tables: { schema: string }[] }>('list_tables', { schema: 'git' });
    expect(git.tables.length).toBeGreaterThan(0);
    expect(new Set(git.tables.map((table) => table.schema))).toEqual(new Set(['git']));
    const error = await server.refused('list_tables', { schema: 'gti' });
    expect(error).toMatchObject({ kind: 'database', sqlstate: '3F000' });
    expect(error.message).toContain('git');
  });
});

describe('describe_table', () => {
  it('describes issues: columns, keys in both directions, constraints, indexes, triggers, comments', async () => {
    type Description = {
      schema: string;
      name: string;
      kind: string;
      columns: { name: string; type: string; nullable: boolean; default: string | null; identity: string | null }[];
      primary_key: { name: string; columns: string[] };
      unique_constraints: { name: string; columns: string[] }[];
      check_constraints: { name: string; definition: string }[];
      foreign_keys: { name: string; columns: string[]; references_table: string; on_delete: string }[];
      referenced_by: { table: string; columns: string[] }[];
      indexes: { name: string; definition: string; valid: boolean; unique: boolean }[];
      triggers: { name: string; definition: string }[];
    };
    const issues = await server.ok<Description>('describe_table', { table: 'issues' });
    expect(issues).toMatchObject({ schema: 'public', name: 'issues', kind: 'table' });
    expect(issues.columns.find((column) => column.name === 'id')).toMatchObject({
      type: 'bigint',
      nullable: false,
      identity: 'always',
    });
    expect(issues.columns.find((column) => column.name === 'title')).toMatchObject({ type: 'text', nullable: false });
    expect(issues.primary_key).toEqual({ name: 'issues_pkey', columns: ['id'] });
    expect(issues.unique_constraints).toContainEqual(expect.objectContaining({ columns: ['repo_id', 'issue_number'] }));
    expect(issues.check_constraints.length).toBeGreaterThan(0);
    expect(issues.foreign_keys).toContainEqual(
      expect.objectContaining({ columns: ['repo_id'], references_table: 'repositories' }),
    );
    expect(issues.referenced_by).toContainEqual(expect.objectContaining({ table: 'comments', columns: ['issue_id'] }));
    expect(issues.indexes.every((index) => index.valid)).toBe(true);
    expect(issues.indexes).toContainEqual(expect.objectContaining({ name: 'issues_pkey', unique: true }));
    expect(issues.triggers.length).toBeGreaterThan(0);
  });

  it('marks secret columns unreadable and accepts schema-qualified and quoted names', async () => {
    const tokens = await server.ok<{ columns: { name: string; readable: boolean }[] }>('describe_table', {
      table: 'public."access_tokens"',
    });
    expect(tokens.columns.find((column) => column.name === 'token_hash')).toMatchObject({ readable: false });
    expect(tokens.columns.find((column) => column.name === 'name')).toMatchObject({ readable: true });
    const outbox = await server.ok<{ schema: string; name: string }>('describe_table', { table: 'git.outbox' });
    expect(outbox).toMatchObject({ schema: 'git', name: 'outbox' });
  });

  it('names the closest existing tables for an unknown one, and the schemas for an ambiguous one', async () => {
    const unknown = await server.refused('describe_table', { table: 'isues' });
    expect(unknown).toMatchObject({ kind: 'database', sqlstate: '42P01' });
    expect(unknown.message).toMatch(/closest existing tables are: issues/);
    const plural = await server.refused('describe_table', { table: 'user' });
    expect(plural.message).toMatch(/closest existing tables are: users/);
    const ambiguous = await server.refused('describe_table', { table: 'outbox' });
    expect(ambiguous.message).toContain('git.outbox');
    const index = await server.refused('describe_table', { table: 'issues_pkey' });
    expect(index.message).toContain('not a table');
  });
});

describe('find_user', () => {
  type Found = { users: { username: string; match: string; [key: string]: unknown }[]; count: number };

  it('puts the exact case-insensitive match first, then prefix matches, at most 10', async () => {
    const found = await server.ok<Found>('find_user', { username: 'ALICE' });
    expect(found.users[0]).toMatchObject({ username: 'alice', match: 'exact' });
    expect(found.users.slice(1).map((user) => [user.username, user.match])).toEqual([
      ['Alice-Smith', 'prefix'],
      ['alicez', 'prefix'],
    ]);
    const many = await server.ok<Found>('find_user', { username: 'al' });
    expect(many.count).toBe(10);
    expect(many.users.map((user) => user.match).every((match) => match === 'prefix')).toBe(true);
  });

  it("returns the user's addresses, tokens and keys without any secret", async () => {
    const result = await server.call('find_user', { username: 'alice' });
    const alice = (result.structuredContent as Found).users[0];
    expect(alice).toMatchObject({
      email: 'alice@example.com',
      display_name: 'Alice',
      emails: [{ email: 'alice@example.com', is_primary: true, is_verified: true }],
      access_tokens: [{ name: 'ci', token_last_eight: 'abcd1234', scopes: ['repo:read'] }],
      ssh_keys: [{ name: 'laptop', key_type: 'ssh-ed25519' }],
      repository_count: 1,
      active_session_count: 1,
    });
    const everything = JSON.stringify(result);
    for (const secret of secrets) expect(everything).not.toContain(secret);
    expect(everything).not.toMatch(/token_hash|session_key|nonce|password/);
  });

  it("matches % and _ literally: find_user('%') finds no one", async () => {
    expect((await server.ok<Found>('find_user', { username: '%' })).count).toBe(0);
    expect((await server.ok<Found>('find_user', { username: '_' })).count).toBe(0);
    expect((await server.ok<Found>('find_user', { username: 'a_' })).count).toBe(0);
    expect((await server.ok<Found>('find_user', { username: '\\' })).count).toBe(0);
    expect((await server.ok<Found>('find_user', { username: 'nobody' })).count).toBe(0);
  });
});

describe('db_stats', () => {
  it('reports version, size, connections, cache, commits, deadlocks, largest tables, migrations', async () => {
    const other = await database().connect('plue_git');
    const { rows } = await other.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const sleeping = other.query('SELECT pg_sleep(3) /* db-stats-longest */').catch(() => undefined);
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const stats = await server.ok<Record<string, Record<string, unknown>> & { notes: string[] }>('db_stats');
      expect(stats.server.version).toMatch(/^PostgreSQL 1\d/);
      expect(stats.server.version_num).toBeGreaterThanOrEqual(150000);
      expect(stats.database).toMatchObject({ name: database().name, bytes: expect.any(Number) });
      expect(stats.connections).toMatchObject({ max: expect.any(Number), total: expect.any(Number) });
      expect((stats.connections.by_state as Record<string, number>).active).toBeGreaterThanOrEqual(1);
      expect(stats.activity).toMatchObject({
        cache_hit_ratio: expect.any(Number),
        commits: expect.any(Number),
        rollbacks: expect.any(Number),
        deadlocks: 0,
      });
      expect((stats.largest_tables as unknown as unknown[]).length).toBe(10);
      // Another role's statement, query text included (pg_read_all_stats, migration 0006).
      expect(stats.longest_running_query).toMatchObject({
        pid: rows[0].pid,
        role: 'plue_git',
        state: 'active',
        query: expect.stringContaining('db-stats-longest'),
      });
      const { rows: latest } = await admin.query<{ version: string }>(
        'SELECT max(version) AS version FROM schema_migrations',
      );
      expect(stats.migrations).toMatchObject({ applied_version: latest[0].version, failed_versions: [] });
      expect(stats.notes).toEqual([]);
    } finally {
      await admin.query('SELECT pg_cancel_backend($1)', [rows[0].pid]);
      await sleeping;
    }
  });
});
