import Cursor from 'pg-cursor';
import type { Client } from 'pg';
import { pino } from 'pino';
import { insertUser, useTestDatabase } from '@plue/testing';
import { Database } from '../src/database';
import { findWriteCapabilities } from '../src/role-check';
import { QueryTool } from '../src/tools/query.tool';
import { readConfig } from '../src/config';
import { databaseFingerprint } from './helpers';

// Each database layer on its own, with the others removed: a role that can write (plue_auth owns
// users) shows what the protocol and the read-only transaction hold without the role's help; a
// bare plue_readonly session shows what the role holds without the transaction. The parser layer
// alone is src/sql-guard.spec.ts; all of them together, attacks.spec.ts.

const database = useTestDatabase();
const logger = pino({ level: 'silent' });
let admin: Client;
let writerDatabase: Database;

beforeAll(async () => {
  admin = await database().connect();
  await insertUser(admin, { username: 'layered' });
  writerDatabase = new Database(database().urlFor('plue_auth'), 2, 2_000, logger);
});

afterAll(async () => {
  await writerDatabase?.close();
});

describe('layer 2: the extended protocol', () => {
  it('refuses a second statement even to a role that may write, outside any transaction', async () => {
    const writer = await database().connect('plue_auth');
    const before = await databaseFingerprint(admin);
    const cursor = writer.query(new Cursor("SELECT 1; UPDATE users SET bio = 'owned'"));
    await expect(cursor.read(10)).rejects.toMatchObject({ code: '42601' });
    expect(await databaseFingerprint(admin)).toEqual(before);
  });
});

describe('layer 3: the read-only transaction', () => {
  it('refuses writes, and switching to read-write, to a role that may write', async () => {
    const before = await databaseFingerprint(admin);
    for (const [sql, sqlstate] of [
      ["UPDATE users SET bio = 'owned'", '25006'],
      ['SET TRANSACTION READ WRITE', '25001'],
      ["SELECT set_config('transaction_read_only', 'off', true)", '25001'],
      ['SET transaction_read_only = off', '25001'],
    ] as [string, string][]) {
      await expect(writerDatabase.withReadOnly({}, ({ client }) => client.query(sql))).rejects.toMatchObject({
        kind: 'database',
        sqlstate,
      });
    }
    expect(await databaseFingerprint(admin)).toEqual(before);
  });

  it('with layers 2 and 3 only (no guard, a writer role), the query tool still writes nothing', async () => {
    const limits = readConfig({ DATABASE_URL: 'postgres://x@localhost/x' }).limits;
    const tool = new QueryTool(writerDatabase, limits, false);
    const before = await databaseFingerprint(admin);
    for (const sql of [
      'DELETE FROM users',
      'SELECT 1; COMMIT; DELETE FROM users',
      'WITH d AS (DELETE FROM users RETURNING 1) SELECT count(*) FROM d',
      "SELECT query_to_xml('delete from users', true, false, '')",
      'EXPLAIN ANALYZE DELETE FROM users',
      'SET TRANSACTION READ WRITE',
    ]) {
      await expect(tool.run({ sql })).rejects.toMatchObject({ kind: 'database' });
    }
    expect(await databaseFingerprint(admin)).toEqual(before);
  });
});

describe('layer 4: the role', () => {
  it('refuses writes to plue_readonly outside any read-only transaction', async () => {
    const readonly = await database().connect('plue_readonly');
    const before = await databaseFingerprint(admin);
    for (const sql of [
      "UPDATE users SET bio = 'owned'",
      'DELETE FROM users',
      'TRUNCATE users',
      'CREATE TEMP TABLE scratch (x int)',
      'CREATE TABLE public.scratch (x int)',
      "SELECT lo_from_bytea(0, 'x')",
      'SELECT lo_create(0)',
      "SELECT nextval('users_id_seq')",
      "SELECT pg_read_file('/etc/passwd')",
      'SELECT token_hash FROM access_tokens',
      'SET ROLE plue_auth',
    ]) {
      await expect(readonly.query(sql)).rejects.toMatchObject({ code: '42501' });
    }
    expect(await databaseFingerprint(admin)).toEqual(before);
  });
});

describe('the startup check of the role', () => {
  it('finds nothing plue_readonly could write with', async () => {
    const readonly = await database().connect('plue_readonly');
    expect(await findWriteCapabilities(readonly)).toEqual([]);
  });

  it('finds the superuser, and the writes of a service role', async () => {
    expect(await findWriteCapabilities(admin)).toEqual([expect.stringMatching(/is a superuser$/)]);
    const git = await database().connect('plue_git');
    const problems = await findWriteCapabilities(git);
    expect(problems).toContain('plue_git may INSERT, UPDATE, DELETE repositories');
    expect(problems).toContain('plue_git may INSERT, UPDATE, DELETE git.outbox');
    expect(problems.some((problem) => problem.includes('users'))).toBe(false);
  });

  it('finds membership in a writer role, even without INHERIT, and column, sequence and schema grants', async () => {
    const role = `plue_mcp_t_${Date.now().toString(36)}`;
    const client = await database().connect();
    try {
      await client.query(`CREATE ROLE ${role} NOLOGIN NOINHERIT`);
      await client.query(`GRANT plue_auth TO ${role}`);
      await client.query(`GRANT UPDATE (bio) ON users TO ${role}`);
      await client.query(`GRANT USAGE ON SEQUENCE users_id_seq TO ${role}`);
      await client.query(`GRANT CREATE ON SCHEMA git TO ${role}`);
      await client.query(`SET ROLE ${role}`);
      const problems = await findWriteCapabilities(client);
      await client.query('RESET ROLE');
      expect(problems).toEqual(
        expect.arrayContaining([
          `plue_auth may INSERT, UPDATE, DELETE users`,
          `${role} may INSERT or UPDATE columns of users`,
          `${role} may advance sequence users_id_seq`,
          `${role} may CREATE in schema git`,
        ]),
      );
    } finally {
      await client.query('RESET ROLE');
      await client.query(`DROP OWNED BY ${role}`);
      await client.query(`DROP ROLE ${role}`);
    }
  });
});
