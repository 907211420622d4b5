import { checkSql, deniedFunction, loadSqlParser } from './sql-guard';
import { ToolError } from './tool-error';

// Layer 1 alone: the parser allow-list, without a database.

beforeAll(() => loadSqlParser());

function refusal(sql: string): ToolError {
  try {
    checkSql(sql);
  } catch (error) {
    if (error instanceof ToolError) return error;
    throw error;
  }
  throw new Error(`allowed: ${sql}`);
}

describe('checkSql', () => {
  it.each([
    ['SELECT 1', 'SELECT'],
    ['  select * from users where id = 1  ', 'SELECT'],
    ['SELECT 1;', 'SELECT'],
    ['/* lead */ SELECT 1 -- trail', 'SELECT'],
    ["SELECT ';' AS semicolon, $$; DROP TABLE users;$$ AS dollar, E'\\'; DELETE' AS escaped", 'SELECT'],
    ['WITH a AS (SELECT 1) SELECT * FROM a', 'SELECT'],
    ['WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3) SELECT * FROM t', 'SELECT'],
    ['SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY id) FROM users', 'SELECT'],
    ['SELECT * FROM users u, LATERAL (SELECT 1) l', 'SELECT'],
    ['VALUES (1), (2)', 'SELECT'],
    ['TABLE users', 'SELECT'],
    ['SELECT 1 UNION SELECT 2 EXCEPT SELECT 3', 'SELECT'],
    ['SELECT updated_at, "delete", "commit" FROM t', 'SELECT'],
    ['EXPLAIN SELECT 1', 'EXPLAIN'],
    ['EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) SELECT * FROM users', 'EXPLAIN'],
    ['SHOW statement_timeout', 'SHOW'],
    ['SHOW ALL', 'SHOW'],
  ])('allows %s', (sql, kind) => {
    expect(checkSql(sql)).toBe(kind);
  });

  it.each([
    ['SELECT 1; SELECT 2', /exactly one statement is allowed, got 2/],
    ['SELECT 1; COMMIT; DROP TABLE users', /got 3/],
    ['', /no statement/],
    ['-- only a comment', /no statement/],
    ['SELEC 1', /syntax error at or near "SELEC" at character 1/],
    ['DELETE FROM users', /^DELETE is not allowed/],
    ['COMMIT', /^a transaction command/],
    ['BEGIN', /^a transaction command/],
    ['SET search_path = x', /^SET is not allowed/],
    ['SET TRANSACTION READ WRITE', /^SET is not allowed/],
    ['RESET ALL', /is not allowed/],
    ['COPY users TO STDOUT', /^COPY is not allowed/],
    ['DO $$ BEGIN END $$', /^DO is not allowed/],
    ['CALL p()', /^CALL is not allowed/],
    ['SELECT * INTO x FROM users', /SELECT … INTO creates a table/],
    ['CREATE TABLE x AS SELECT 1', /CREATE TABLE AS/],
    ['SELECT * FROM users FOR UPDATE', /FOR UPDATE\/SHARE/],
    ['SELECT * FROM users FOR KEY SHARE', /FOR UPDATE\/SHARE/],
    ['SELECT * FROM (SELECT * FROM users FOR NO KEY UPDATE) s', /FOR UPDATE\/SHARE/],
    ['SELECT (SELECT id FROM users FOR SHARE LIMIT 1)', /FOR UPDATE\/SHARE/],
    ['WITH d AS (DELETE FROM users RETURNING *) SELECT * FROM d', /DELETE inside a query/],
    ['WITH a AS (WITH b AS (INSERT INTO t VALUES (1) RETURNING 1) SELECT * FROM b) SELECT * FROM a', /INSERT inside/],
    ['WITH m AS (MERGE INTO t USING s ON true WHEN MATCHED THEN DELETE RETURNING 1) SELECT 1', /./],
    ['EXPLAIN DELETE FROM users', /EXPLAIN is allowed only of a SELECT, not of DELETE/],
    ['EXPLAIN ANALYZE UPDATE users SET bio = 1', /not of UPDATE/],
    ['EXPLAIN CREATE TABLE x AS SELECT 1', /not of CREATE TABLE AS/],
    ['EXPLAIN EXECUTE p', /not of EXECUTE/],
    ['EXPLAIN ANALYZE SELECT pg_advisory_lock(1)', /pg_advisory_lock is not allowed/],
    ["SELECT set_config('a', 'b', false)", /set_config is not allowed/],
    ["SELECT pg_catalog.set_config('a', 'b', false)", /set_config is not allowed/],
    ['SELECT "pg_catalog"."SET_CONFIG"(\'a\', \'b\', false)', /SET_CONFIG is not allowed/],
    ["SELECT U&\"set\\005fconfig\"('a', 'b', false)", /set_config is not allowed/],
    ['SELECT * FROM users WHERE id IN (SELECT pg_terminate_backend(1))', /pg_terminate_backend/],
    ["SELECT * FROM pg_ls_dir('.')", /pg_ls_dir/],
    ['SELECT * FROM ROWS FROM (pg_advisory_lock(1)) r', /pg_advisory_lock/],
    ['SELECT pg_try_advisory_xact_lock(1)', /pg_try_advisory_xact_lock/],
    ["SELECT lo_export(1, '/tmp/x')", /lo_export/],
    ["SELECT dblink_exec('delete from users')", /dblink_exec/],
    ["SELECT query_to_xml('delete from users', true, false, '')", /query_to_xml/],
    ["SELECT ts_stat('select 1')", /ts_stat/],
    ["SELECT nextval('users_id_seq')", /nextval/],
    ['SELECT txid_current()', /txid_current/],
    ["SELECT pg_notify('x', 'y')", /pg_notify/],
    ['SELECT u.lo_from_bytea FROM users u', /lo_from_bytea/],
    ['SELECT COALESCE(NULL, pg_reload_conf())', /pg_reload_conf/],
    ['SELECT 1 WHERE EXISTS (SELECT pg_stat_reset())', /pg_stat_reset/],
    ['LOCK users', /^LOCK is not allowed/],
    ['VACUUM users', /is not allowed/],
    ['PREPARE p AS SELECT 1', /^PREPARE is not allowed/],
    ['DECLARE c CURSOR FOR SELECT 1', /^DECLARE CURSOR is not allowed/],
    ['LISTEN x', /^LISTEN is not allowed/],
    ["LOAD 'x'", /^LOAD is not allowed/],
    ['ALTER ROLE plue_readonly SET work_mem = 1', /is not allowed/],
  ])('refuses %s', (sql, message) => {
    const error = refusal(sql);
    expect(error.kind).toBe('guard');
    expect(error.message).toMatch(message);
  });

  it('gives the syntax error the SQLSTATE of one', () => {
    expect(refusal('SELECT FROM FROM')).toMatchObject({ kind: 'guard', sqlstate: '42601' });
  });
});

describe('deniedFunction', () => {
  it('denies by name and family, ignoring case, and allows the rest', () => {
    for (const name of ['pg_read_file', 'PG_READ_FILE', 'pg_advisory_unlock_all', 'lo_put', 'dblink', 'set_config']) {
      expect(deniedFunction(name)).toBe(true);
    }
    for (const name of ['pg_sleep', 'now', 'count', 'current_setting', 'pg_size_pretty', 'lower', 'jsonb_path_query']) {
      expect(deniedFunction(name)).toBe(false);
    }
  });
});
