import type { Client } from 'pg';
import { insertLabel, insertRepository, insertUser, useTestDatabase } from '@plue/testing';
import { TEST_ONLY_DISABLE_SQL_GUARD } from '../src/config';
import { databaseFingerprint, startInProcess, type InProcessServer } from './helpers';

// Attacks on the `query` tool. Each must be refused and leave the database as it was: first with
// every layer, where the SQL guard (layer 1, the parser) refuses it; then with the guard switched
// off by the test-only setting, where the database layers refuse it on their own: the extended
// protocol (one statement), BEGIN READ ONLY with a snapshot taken first, and the role's privileges.

const database = useTestDatabase();
let admin: Client;
let adminPid: number;
let superuser: string;
let guarded: InProcessServer;
let unguarded: InProcessServer;

interface Attack {
  name: string;
  sql: () => string;
}

/** Refused by the guard, and by the database layers without it. */
const ATTACKS: Attack[] = [
  { name: 'a second statement after COMMIT', sql: () => 'SELECT 1; COMMIT; DROP TABLE users' },
  { name: 'COMMIT first', sql: () => 'COMMIT; DELETE FROM users' },
  { name: 'a ; hidden in a comment', sql: () => 'SELECT 1 /* harmless; */; COMMIT; DELETE FROM users' },
  { name: 'COMMIT inside a string, then for real', sql: () => "SELECT ';COMMIT;'; COMMIT; DELETE FROM users" },
  { name: 'dollar quotes', sql: () => 'SELECT $$;$$; COMMIT; UPDATE users SET is_admin = true' },
  { name: 'a line comment', sql: () => 'SELECT 1 -- ;\n; ROLLBACK; TRUNCATE users CASCADE' },
  { name: 'SET TRANSACTION READ WRITE', sql: () => 'SET TRANSACTION READ WRITE' },
  { name: "set_config('transaction_read_only')", sql: () => "SELECT set_config('transaction_read_only', 'off', true)" },
  {
    name: 'UPDATE pg_settings (set_config through a rule)',
    sql: () => "UPDATE pg_settings SET setting = 'off' WHERE name = 'transaction_read_only'",
  },
  { name: 'pg_terminate_backend of a superuser', sql: () => `SELECT pg_terminate_backend(${adminPid})` },
  { name: 'pg_read_file', sql: () => "SELECT pg_read_file('/etc/passwd')" },
  { name: 'pg_ls_dir', sql: () => "SELECT * FROM pg_ls_dir('.')" },
  { name: 'lo_import', sql: () => "SELECT lo_import('/etc/passwd')" },
  { name: 'lo_from_bytea (a large object)', sql: () => "SELECT lo_from_bytea(0, 'stolen')" },
  { name: 'FOR UPDATE', sql: () => 'SELECT * FROM users FOR UPDATE' },
  { name: 'FOR SHARE in a subquery', sql: () => 'SELECT * FROM (SELECT id FROM users FOR SHARE) s' },
  { name: 'SELECT … INTO a table', sql: () => 'SELECT * INTO stolen_users FROM users' },
  { name: 'SELECT … INTO TEMP', sql: () => 'SELECT * INTO TEMP stolen FROM users' },
  { name: 'CREATE TEMP TABLE', sql: () => 'CREATE TEMP TABLE scratch (x int)' },
  { name: 'DO', sql: () => 'DO $$ BEGIN DELETE FROM users; END $$' },
  { name: 'CALL', sql: () => 'CALL pg_sleep(0)' },
  { name: 'COPY FROM STDIN', sql: () => 'COPY users FROM STDIN' },
  { name: 'COPY TO a server file', sql: () => "COPY (SELECT * FROM users) TO '/tmp/plue-mcp-stolen.csv'" },
  { name: 'EXPLAIN ANALYZE DELETE', sql: () => 'EXPLAIN ANALYZE DELETE FROM users' },
  {
    name: 'a DELETE inside a CTE',
    sql: () => 'WITH gone AS (DELETE FROM users RETURNING *) SELECT count(*) FROM gone',
  },
  {
    name: 'an UPDATE inside a nested CTE',
    sql: () => "SELECT * FROM (WITH x AS (UPDATE users SET bio = 'x' RETURNING 1) SELECT * FROM x) s",
  },
  { name: "query_to_xml('delete …')", sql: () => "SELECT query_to_xml('delete from users', true, false, '')" },
  { name: 'dblink', sql: () => "SELECT * FROM dblink('dbname=postgres', 'delete from users') AS t(x int)" },
  { name: 'DELETE', sql: () => 'DELETE FROM users' },
  { name: 'UPDATE', sql: () => 'UPDATE users SET is_admin = true' },
  { name: 'INSERT', sql: () => "INSERT INTO labels (repo_id, name, color) VALUES (1, 'x', '#000000')" },
  {
    name: 'MERGE',
    sql: () => 'MERGE INTO users u USING (SELECT 1::bigint AS id) s ON u.id = s.id WHEN MATCHED THEN DELETE',
  },
  { name: 'TRUNCATE', sql: () => 'TRUNCATE users CASCADE' },
  { name: 'DROP TABLE', sql: () => 'DROP TABLE users CASCADE' },
  { name: 'ALTER TABLE', sql: () => 'ALTER TABLE users ADD COLUMN owned boolean' },
  { name: 'GRANT', sql: () => 'GRANT ALL ON users TO PUBLIC' },
  {
    name: 'ALTER ROLE … SET on itself',
    sql: () => 'ALTER ROLE plue_readonly SET statement_timeout = 0',
  },
  { name: 'ALTER ROLE … PASSWORD on itself', sql: () => "ALTER ROLE plue_readonly PASSWORD 'owned'" },
  { name: 'ALTER SYSTEM', sql: () => 'ALTER SYSTEM SET statement_timeout = 0' },
  { name: 'LOCK TABLE', sql: () => 'LOCK TABLE users IN ACCESS EXCLUSIVE MODE' },
  { name: 'VACUUM FULL', sql: () => 'VACUUM FULL users' },
  { name: 'nextval', sql: () => "SELECT nextval('users_id_seq')" },
  { name: 'SET ROLE to a writer', sql: () => 'SET ROLE plue_auth' },
  { name: 'SET SESSION AUTHORIZATION', sql: () => `SET SESSION AUTHORIZATION ${superuser}` },
  { name: 'CREATE EXTENSION', sql: () => 'CREATE EXTENSION IF NOT EXISTS dblink' },
  { name: 'CREATE FUNCTION', sql: () => 'CREATE FUNCTION owned() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$' },
  { name: 'CHECKPOINT', sql: () => 'CHECKPOINT' },
  { name: 'pg_reload_conf', sql: () => 'SELECT pg_reload_conf()' },
];

/**
 * Refused by the guard; without it the database lets them run but nothing outlives the call: the
 * transaction is rolled back and DISCARD ALL drops the session's locks, cursors and settings.
 */
const POLICY_ONLY: Attack[] = [
  { name: 'a session advisory lock', sql: () => 'SELECT pg_advisory_lock(42)' },
  { name: 'an advisory lock in a subquery', sql: () => 'SELECT * FROM (SELECT pg_try_advisory_lock(43)) s' },
  {
    name: 'a session setting through set_config',
    sql: () => "SELECT set_config('work_mem', '1GB', false)",
  },
  { name: 'pg_notify', sql: () => "SELECT pg_notify('auth_outbox', '')" },
  { name: 'NOTIFY', sql: () => 'NOTIFY auth_outbox' },
  { name: 'LISTEN', sql: () => 'LISTEN auth_outbox' },
  { name: 'txid_current (burns a transaction id)', sql: () => 'SELECT txid_current()' },
  { name: 'a cursor WITH HOLD', sql: () => 'DECLARE c CURSOR WITH HOLD FOR SELECT * FROM users' },
  { name: 'PREPARE', sql: () => 'PREPARE p AS SELECT 1' },
  { name: 'SET a session setting', sql: () => "SET work_mem = '2GB'" },
  { name: 'a ROLLBACK alone', sql: () => 'ROLLBACK' },
  {
    name: 'EXPLAIN of a data-modifying CTE',
    sql: () => 'EXPLAIN WITH d AS (DELETE FROM users RETURNING 1) SELECT * FROM d',
  },
  { name: 'attribute notation of a denied function', sql: () => 'SELECT u.lo_from_bytea FROM users u' },
  { name: 'schema-qualified and quoted', sql: () => 'SELECT "pg_catalog"."pg_advisory_lock"(44)' },
];

beforeAll(async () => {
  admin = await database().connect();
  const { rows } = await admin.query<{ pid: number; user: string }>(
    'SELECT pg_backend_pid() AS pid, current_user AS user',
  );
  adminPid = rows[0].pid;
  superuser = rows[0].user;
  const repo = await insertRepository(admin, { user_id: (await insertUser(admin, { username: 'victim' })).id });
  await insertLabel(admin, repo, { name: 'keep-me' });
  const env = { DATABASE_URL: database().urlFor('plue_readonly') };
  guarded = await startInProcess(env);
  unguarded = await startInProcess({ ...env, [TEST_ONLY_DISABLE_SQL_GUARD]: '1' });
});

afterAll(async () => {
  await guarded?.close();
  await unguarded?.close();
});

it('has a table of at least 20 attacks', () => {
  expect(ATTACKS.length).toBeGreaterThanOrEqual(20);
  expect(guarded.config.sqlGuardDisabledForTests).toBe(false);
  expect(unguarded.config.sqlGuardDisabledForTests).toBe(true);
});

describe('with every layer', () => {
  it.each([...ATTACKS, ...POLICY_ONLY].map((attack) => [attack.name, attack]))(
    'the SQL guard refuses %s, and the database is unchanged',
    async (_name, attack) => {
      const before = await databaseFingerprint(admin);
      const error = await guarded.refused('query', { sql: attack.sql() });
      expect(error).toMatchObject({ kind: 'guard', message: expect.any(String) });
      expect(await databaseFingerprint(admin)).toEqual(before);
    },
  );
});

describe('with the SQL guard switched off (test-only setting)', () => {
  it.each(ATTACKS.map((attack) => [attack.name, attack]))(
    'the database layers refuse %s, and the database is unchanged',
    async (_name, attack) => {
      const before = await databaseFingerprint(admin);
      const error = await unguarded.refused('query', { sql: attack.sql() });
      expect(['database', 'timeout']).toContain(error.kind);
      expect(error.sqlstate).toMatch(/^[0-9A-Z]{5}$/);
      expect(await databaseFingerprint(admin)).toEqual(before);
    },
  );

  it.each(POLICY_ONLY.map((attack) => [attack.name, attack]))(
    '%s leaves nothing behind once the call returns',
    async (_name, attack) => {
      const before = await databaseFingerprint(admin);
      await unguarded.call('query', { sql: attack.sql() });
      expect(await databaseFingerprint(admin)).toEqual(before);
      // The connection that ran it is still read-only and holds nothing.
      const check = await unguarded.ok<{ rows: unknown[][] }>('query', {
        sql: `SELECT current_setting('transaction_read_only') AS read_only,
                     (SELECT setting = reset_val FROM pg_settings WHERE name = 'work_mem') AS default_work_mem,
                     (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'
                         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())) AS locks,
                     (SELECT count(*) FROM pg_cursors WHERE is_holdable) AS cursors,
                     (SELECT count(*) FROM pg_prepared_statements) AS prepared,
                     (SELECT count(*) FROM pg_listening_channels()) AS listening`,
      });
      expect(check.rows).toEqual([['on', true, '0', '0', '0', '0']]);
    },
  );

  it('still answers after every attack: the pool recovered from each', async () => {
    const result = await unguarded.ok<{ rows: unknown[][] }>('query', {
      sql: "SELECT name FROM labels WHERE name = 'keep-me'",
    });
    expect(result.rows).toEqual([['keep-me']]);
  });
});
