import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '@plue/testing';
import { migrationLockKey } from '../src/advisory-lock';
import { up } from '../src/runner';
import { migrate, query, spawnMigrator, trackingRows, useFixtures, writeFiles } from './helpers';

const fixture = useFixtures();
let database: TestDatabase;
let other: Client;
beforeEach(async () => {
  database = await createTestDatabase({ empty: true });
  other = new Client({ connectionString: database.url, application_name: 'migrator-spec-holder' });
  await other.connect();
});
afterEach(async () => {
  await other.end();
  await database.drop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('lock_timeout on transactional files', () => {
  let dir: string;
  beforeEach(async () => {
    dir = fixture({ 'migrations/0001_busy.sql': 'CREATE TABLE busy (id int);' });
    expect((await migrate(database.url, ['up', '--dir', dir])).code).toBe(0);
    writeFiles(dir, {
      'migrations/0002_alter_busy.sql': 'CREATE TABLE side (id int);\nALTER TABLE busy ADD COLUMN extra int;',
    });
    // An application transaction that holds a lock the ALTER TABLE conflicts with.
    await other.query('BEGIN');
    await other.query('LOCK TABLE busy IN ACCESS SHARE MODE');
  });

  it('rolls back, backs off and retries until the conflicting lock is gone', async () => {
    const lines: string[] = [];
    const release = sleep(1200).then(() => other.query('COMMIT'));
    const result = await up({
      databaseUrl: new URL(database.url),
      dbDir: dir,
      log: (line) => lines.push(line),
      lockTimeoutMs: 100,
      retries: 6,
      retryDelayMs: 100,
    });
    await release;

    expect(result.steps.map((step) => step.step.kind === 'migration' && step.step.migration.version)).toEqual(['0002']);
    expect(lines.filter((line) => line.includes('lock_timeout at'))).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^ {2}lock_timeout at .*0002_alter_busy\.sql:2; rolled back, retry 1\/6 in \d+ ms$/),
      ]),
    );
    expect(
      await query(
        database.url,
        "SELECT 1 FROM information_schema.columns WHERE table_name = 'busy' AND column_name = 'extra'",
      ),
    ).toHaveLength(1);
    expect((await trackingRows(database.url))[1]).toMatchObject({ version: '0002', status: 'applied' });
  });

  it('fails with 55P03, leaving nothing behind, when the retries run out', async () => {
    const run = await migrate(database.url, ['up', '--lock-timeout', '50ms', '--retries', '1', '--dir', dir]);
    await other.query('COMMIT');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('retry 1/1');
    expect(run.stderr).toContain('0002_alter_busy.sql:2: 55P03 canceling statement due to lock timeout');
    expect(await query(database.url, "SELECT to_regclass('public.side') AS side")).toEqual([{ side: null }]);
    expect((await trackingRows(database.url))[1]).toMatchObject({ status: 'failed' });
  });
});

describe('the migration lock', () => {
  it('says who holds it while waiting, then proceeds once it is released', async () => {
    const dir = fixture({ 'migrations/0001_first.sql': 'CREATE TABLE first (id int);' });
    await other.query('SELECT pg_advisory_lock($1::bigint)', [migrationLockKey]);
    const holderPid = (await other.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    const release = sleep(1000).then(() => other.query('SELECT pg_advisory_unlock($1::bigint)', [migrationLockKey]));

    const run = await migrate(database.url, ['up', '--dir', dir]);
    await release;
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(
      new RegExp(
        `waiting for the migration lock, held by pid ${holderPid} \\(migrator-spec-holder, user postgres.*\\), connected at \\S+, idle since \\S+`,
      ),
    );
    expect(await trackingRows(database.url)).toHaveLength(1);
  });

  it('gives up with exit 6 after --lock-wait, naming the holder', async () => {
    const dir = fixture({ 'migrations/0001_first.sql': 'CREATE TABLE first (id int);' });
    await other.query('SELECT pg_advisory_lock($1::bigint)', [migrationLockKey]);
    const started = Date.now();
    const run = await migrate(database.url, ['up', '--lock-wait', '700ms', '--dir', dir]);
    expect(run.code).toBe(6);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(run.stderr).toContain('could not get the migration lock within 700 ms; held by pid');
    expect(run.stderr).toContain('migrator-spec-holder');
    expect(await query(database.url, "SELECT to_regclass('public.first') AS t")).toEqual([{ t: null }]);
  });

  it('lets three runners started together apply each version exactly once, CREATE INDEX CONCURRENTLY included', async () => {
    const dir = fixture({
      'migrations/0001_log.sql': "CREATE TABLE run_log (version text NOT NULL);\nINSERT INTO run_log VALUES ('0001');",
      'migrations/0002_slow.sql':
        "CREATE TABLE items (id int);\nSELECT pg_sleep(1);\nINSERT INTO run_log VALUES ('0002');",
      'migrations/0003_index.sql':
        "-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY items_id_idx ON items (id);\nINSERT INTO run_log VALUES ('0003');",
      'migrations/0004_last.sql': "INSERT INTO run_log VALUES ('0004');",
    });
    const runs = await Promise.all(
      [1, 2, 3].map(() => spawnMigrator(['up', '--dir', dir], { DATABASE_URL: database.url })),
    );

    expect(runs.map((run) => run.code)).toEqual([0, 0, 0]);
    expect(runs.filter((run) => run.stdout.includes('applied 4 step(s)'))).toHaveLength(1);
    expect(runs.filter((run) => run.stdout.includes('nothing to apply'))).toHaveLength(2);
    expect(
      runs.some((run) => /waiting for the migration lock, held by pid \d+ \(plue-migrator /.test(run.stderr)),
    ).toBe(true);
    expect(
      await query(database.url, 'SELECT version, count(*)::int AS runs FROM run_log GROUP BY version ORDER BY version'),
    ).toEqual(['0001', '0002', '0003', '0004'].map((version) => ({ version, runs: 1 })));
    expect((await trackingRows(database.url)).map((row) => row.status)).toEqual([
      'applied',
      'applied',
      'applied',
      'applied',
    ]);
  });
});
