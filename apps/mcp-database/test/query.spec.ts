import type { Client } from 'pg';
import { insertRepository, insertUser, useTestDatabase } from '@plue/testing';
import { activeBackends, startInProcess, waitFor, type InProcessServer } from './helpers';

const database = useTestDatabase();
let admin: Client;
let server: InProcessServer;
/** A server with small caps and a short timeout. */
let tight: InProcessServer;

type QueryResult = {
  statement: string | null;
  columns: { name: string; type: string }[];
  rows: unknown[][];
  row_count: number;
  truncated: boolean;
  truncated_by: string[];
  cells_truncated: number;
  limits: { max_rows: number; max_cell_chars: number; max_response_bytes: number; statement_timeout_ms: number };
};

beforeAll(async () => {
  admin = await database().connect();
  for (const username of ['ann', 'ben', 'cat']) {
    const user = await insertUser(admin, { username, bio: `bio of ${username}` });
    await insertRepository(admin, { user_id: user.id, name: `${username}-repo` });
  }
  const url = database().urlFor('plue_readonly');
  server = await startInProcess({ DATABASE_URL: url });
  tight = await startInProcess({
    DATABASE_URL: url,
    MCP_STATEMENT_TIMEOUT_MS: '700',
    MCP_MAX_RESPONSE_BYTES: '2000',
    MCP_MAX_CELL_CHARS: '50',
    MCP_DEFAULT_ROWS: '5',
    MCP_MAX_ROWS: '20',
  });
});

afterAll(async () => {
  await server?.close();
  await tight?.close();
});

const query = (sql: string, maxRows?: number) =>
  server.ok<QueryResult>('query', maxRows === undefined ? { sql } : { sql, max_rows: maxRows });

describe('valid queries that naive guards reject', () => {
  it.each([
    ['a window function', 'SELECT username, row_number() OVER (ORDER BY username) AS n FROM users ORDER BY n', 3],
    ['percentile_cont … WITHIN GROUP', 'SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY id) FROM users', 1],
    [
      'nested CTEs',
      `WITH outer_cte AS (WITH inner_cte AS (SELECT id, username FROM users) SELECT * FROM inner_cte WHERE username <> 'x')
       SELECT count(*) FROM outer_cte`,
      1,
    ],
    [
      'LATERAL',
      `SELECT u.username, r.name FROM users u
         LEFT JOIN LATERAL (SELECT name FROM repositories WHERE user_id = u.id ORDER BY id LIMIT 1) r ON true
        ORDER BY 1`,
      3,
    ],
    [
      'JSON operators',
      `SELECT '{"a":{"b":[1,2]}}'::jsonb #> '{a,b}' AS path, '{"a":1}'::jsonb ? 'a' AS has_a, '{"a":1}'::jsonb ->> 'a' AS a`,
      1,
    ],
    ['string literals containing ;', "SELECT 'a; DROP TABLE users; --' AS s, $$; COMMIT;$$ AS t", 1],
    ['identifiers that look like keywords', 'SELECT updated_at, created_at AS "delete", 1 AS "commit" FROM users', 3],
    ['a comment mentioning COMMIT', '/* COMMIT; DROP TABLE users */ SELECT 1 -- ; COMMIT', 1],
    ['UNION and VALUES', 'SELECT 1 AS x UNION ALL SELECT * FROM (VALUES (2), (3)) v(x)', 3],
    ['TABLE', 'TABLE users', 3],
    ['ILIKE with % and _', "SELECT username FROM users WHERE bio ILIKE '%of _a%'", 1],
    [
      'a recursive CTE',
      'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4) SELECT * FROM n',
      4,
    ],
    ['pg_sleep(0) (not dangerous)', 'SELECT pg_sleep(0)', 1],
    ['EXPLAIN', 'EXPLAIN SELECT * FROM users WHERE id = 1', undefined],
    ['EXPLAIN ANALYZE of a SELECT', 'EXPLAIN (ANALYZE, COSTS OFF) SELECT count(*) FROM users', undefined],
    ['SHOW', 'SHOW statement_timeout', 1],
  ])('accepts %s', async (_name, sql, rowCount) => {
    const result = await query(sql as string);
    if (rowCount !== undefined) expect(result.row_count).toBe(rowCount);
    else expect(result.row_count).toBeGreaterThan(0);
  });

  it('returns the values themselves', async () => {
    expect((await query("SELECT 'a; DROP TABLE users; --' AS s")).rows).toEqual([['a; DROP TABLE users; --']]);
    const json = await query(`SELECT '{"a":{"b":[1,2]}}'::jsonb #> '{a,b}' AS path, '{"a":1}'::jsonb ? 'a' AS has_a`);
    expect(json.rows).toEqual([[[1, 2], true]]);
    expect(json.columns).toEqual([
      { name: 'path', type: 'jsonb' },
      { name: 'has_a', type: 'boolean' },
    ]);
    const show = await query('SHOW statement_timeout');
    expect(show).toMatchObject({ statement: 'SHOW', rows: [['15s']] });
    expect((await query('EXPLAIN SELECT 1')).statement).toBe('EXPLAIN');
  });
});

describe('values', () => {
  it('returns 64-bit integers and numerics exactly, as strings', async () => {
    const result = await query(
      `SELECT 9223372036854775807::bigint AS big, -9007199254740993::bigint AS past_double,
              12345678901234567890.123456789::numeric AS num, 'NaN'::numeric AS nan,
              42::int AS small, 0.1::float8 AS f, 'Infinity'::float8 AS inf,
              '{"n": 12345678901234567890}'::jsonb AS big_json, '{"n": 1.5}'::json AS small_json,
              ARRAY[9223372036854775807, 1]::bigint[] AS bigs, ARRAY[1.10, 2]::numeric[] AS nums,
              ARRAY[1, 2] AS ints, ARRAY['a', NULL, 'c'] AS texts,
              NULL::text AS nothing, true AS yes, '\\x0102'::bytea AS bytes,
              '2024-05-01 12:00:00+00'::timestamptz AT TIME ZONE 'UTC' AS ts`,
    );
    expect(result.rows[0]).toEqual([
      '9223372036854775807',
      '-9007199254740993',
      '12345678901234567890.123456789',
      'NaN',
      42,
      0.1,
      'Infinity',
      '{"n": 12345678901234567890}',
      { n: 1.5 },
      ['9223372036854775807', '1'],
      ['1.10', '2'],
      [1, 2],
      ['a', null, 'c'],
      null,
      true,
      '\\x0102',
      '2024-05-01 12:00:00',
    ]);
    expect(result.columns.map((column) => column.type)).toEqual([
      'bigint',
      'bigint',
      'numeric',
      'numeric',
      'integer',
      'double precision',
      'double precision',
      'jsonb',
      'json',
      'bigint[]',
      'numeric[]',
      'integer[]',
      'text[]',
      'text',
      'boolean',
      'bytea',
      'timestamp without time zone',
    ]);
  });

  it('names types with their modifiers, and keeps duplicate column names', async () => {
    const result = await query("SELECT 1.5::numeric(10,2) AS a, 'x'::varchar(20) AS a");
    expect(result.columns).toEqual([
      { name: 'a', type: 'numeric(10,2)' },
      { name: 'a', type: 'character varying(20)' },
    ]);
    expect(result.rows).toEqual([['1.50', 'x']]);
  });
});

describe('limits', () => {
  it('returns the row cap of a 100,000-row query, marked truncated', async () => {
    const started = Date.now();
    const result = await query('SELECT g, md5(g::text) FROM generate_series(1, 100000) g');
    expect(result).toMatchObject({ row_count: 100, truncated: true, truncated_by: ['rows'] });
    expect(result.rows[99]).toEqual([100, expect.any(String)]);
    expect(result.limits.max_rows).toBe(100);
    expect(Date.now() - started).toBeLessThan(5_000); // read through a cursor, not all 100,000 rows
  });

  it('lowers max_rows to the cap and reports the limit applied', async () => {
    const asked = await query('SELECT g FROM generate_series(1, 5000) g', 5000);
    expect(asked).toMatchObject({ row_count: 1000, truncated: true, limits: { max_rows: 1000 } });
    const exact = await query('SELECT g FROM generate_series(1, 7) g', 7);
    expect(exact).toMatchObject({ row_count: 7, truncated: false, truncated_by: [] });
  });

  it('cuts long cells and stops at the response byte cap', async () => {
    const cells = await tight.ok<QueryResult>('query', {
      sql: "SELECT repeat('x', 500) AS long, 'short' AS short, jsonb_build_object('k', repeat('y', 100)) AS j",
    });
    expect(cells.rows[0]).toEqual([`${'x'.repeat(50)}…`, 'short', expect.stringMatching(/^\{"k":"y+…$/)]);
    expect(cells).toMatchObject({ cells_truncated: 2, truncated: false });
    const overflow = await tight.ok<QueryResult>('query', {
      sql: 'SELECT g, md5(g::text), md5((g + 1)::text), md5((g + 2)::text) FROM generate_series(1, 20) g',
      max_rows: 20,
    });
    expect(overflow).toMatchObject({ truncated: true, truncated_by: ['bytes'] });
    expect(overflow.row_count).toBeGreaterThan(5);
    expect(overflow.row_count).toBeLessThan(20);
    expect(overflow.limits.max_response_bytes).toBe(2000);
    expect(Buffer.byteLength(JSON.stringify(overflow.rows))).toBeLessThanOrEqual(2000);
  });

  it('refuses SQL longer than the limit', async () => {
    const error = await server.refused('query', { sql: `SELECT ${'1 + '.repeat(30_000)}1` });
    expect(error).toMatchObject({ kind: 'limit' });
  });
});

describe('timeouts and cancellation', () => {
  it('stops a slow query with the server-side timeout and leaves no backend running', async () => {
    const started = Date.now();
    const error = await tight.refused('query', { sql: 'SELECT pg_sleep(30) /* slow-timeout-marker */' });
    expect(error).toMatchObject({ kind: 'timeout', sqlstate: '57014' });
    expect(error.message).toContain('statement timeout');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await activeBackends(admin, 'slow-timeout-marker')).toEqual([]);
    // The connection is reused afterwards.
    expect((await tight.ok<QueryResult>('query', { sql: 'SELECT 1' })).rows).toEqual([[1]]);
  });

  it('cancels the running statement on the server when the client cancels the call', async () => {
    const controller = new AbortController();
    const call = server.call('query', { sql: 'SELECT pg_sleep(60) /* cancel-marker */' }, controller.signal);
    const [pid] = await waitFor(async () => {
      const pids = await activeBackends(admin, 'cancel-marker');
      return pids.length > 0 ? pids : undefined;
    });
    const aborted = Date.now();
    controller.abort();
    await expect(call).rejects.toThrow(/abort/i);
    await waitFor(async () => ((await activeBackends(admin, 'cancel-marker')).length === 0 ? true : undefined), 5_000);
    expect(Date.now() - aborted).toBeLessThan(5_000);
    // The backend is idle again, not in a transaction, and serves the next call.
    await waitFor(async () => {
      const { rows } = await admin.query<{ state: string }>('SELECT state FROM pg_stat_activity WHERE pid = $1', [pid]);
      return rows[0]?.state === 'idle' ? true : undefined;
    });
    expect((await query('SELECT 2')).rows).toEqual([[2]]);
  });

  it('refuses SET TRANSACTION READ WRITE even though nothing but SET ran before it', async () => {
    // The guard refuses it; the database refusal is proven by attacks.spec.ts with the guard off.
    expect(await server.refused('query', { sql: 'SET TRANSACTION READ WRITE' })).toMatchObject({ kind: 'guard' });
  });
});

describe('errors a person can act on', () => {
  it('gives the parser position for a syntax error, and SQLSTATE and hint for database errors', async () => {
    const syntax = await server.refused('query', { sql: 'SELEC 1' });
    expect(syntax).toMatchObject({ kind: 'guard', sqlstate: '42601', message: expect.stringContaining('SELEC') });
    const missing = await server.refused('query', { sql: 'SELECT * FROM isues' });
    expect(missing).toMatchObject({
      kind: 'database',
      sqlstate: '42P01',
      hint: expect.stringContaining('list_tables'),
    });
    const column = await server.refused('query', { sql: 'SELECT nope FROM users' });
    expect(column).toMatchObject({ kind: 'database', sqlstate: '42703' });
    const empty = await server.refused('query', { sql: '-- nothing' });
    expect(empty).toMatchObject({ kind: 'guard' });
    const result = await server.call('query', { sql: 'DELETE FROM users' });
    expect(result.content).toEqual([
      { type: 'text', text: expect.stringMatching(/^guard error: DELETE is not allowed/) },
    ]);
  });
});
