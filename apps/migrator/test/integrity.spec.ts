import { renameSync } from 'node:fs';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '@plue/testing';
import { migration0001, migration0002 } from './fixtures';
import { migrate, query, trackingRows, useFixtures, userRelations, writeFiles } from './helpers';

const fixture = useFixtures();
let database: TestDatabase;
let url: string;
let dir: string;

beforeEach(async () => {
  database = await createTestDatabase({ empty: true });
  url = database.url;
  dir = fixture({
    'migrations/0001_create_users.sql': migration0001,
    'migrations/0002_users_username_index.sql': migration0002,
  });
  expect((await migrate(url, ['up', '--dir', dir])).code).toBe(0);
});
afterEach(() => database.drop());

const pendingTable = { 'migrations/0003_create_pending.sql': 'CREATE TABLE pending_one (id int);' };

describe('integrity checks before anything runs', () => {
  it('stops with exit 3, naming the file, when an applied migration was edited; nothing pending runs', async () => {
    writeFiles(dir, {
      'migrations/0001_create_users.sql': `${migration0001}\n-- an innocent-looking edit\n`,
      ...pendingTable,
    });

    const run = await migrate(url, ['up', '--dir', dir]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(
      /0001_create_users\.sql changed after it was applied \(sha256 [0-9a-f]{12}… recorded, [0-9a-f]{12}… now\)/,
    );
    expect(run.stderr).not.toContain('→');
    expect(await userRelations(url)).not.toContain('public.pending_one');

    const status = await migrate(url, ['status', '--json', '--dir', dir]);
    expect(status.code).toBe(3);
    const report = JSON.parse(status.stdout);
    expect(report.versions.map((version: { state: string }) => version.state)).toEqual([
      'checksum-changed',
      'applied',
      'pending',
    ]);
    expect(report.problems).toEqual([expect.stringContaining('0001_create_users.sql changed')]);

    writeFiles(dir, { 'migrations/0001_create_users.sql': migration0001 });
    expect((await migrate(url, ['up', '--dir', dir])).code).toBe(0);
    expect(await userRelations(url)).toContain('public.pending_one');
  });

  it('stops with exit 3 when an applied file is missing, naming it', async () => {
    writeFiles(dir, pendingTable);
    renameSync(path.join(dir, 'migrations/0002_users_username_index.sql'), path.join(dir, 'elsewhere.sql'));

    const run = await migrate(url, ['up', '--dir', dir]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('0002_users_username_index.sql is recorded as applied but is missing');
    expect(await userRelations(url)).not.toContain('public.pending_one');
    expect(JSON.parse((await migrate(url, ['status', '--json', '--dir', dir])).stdout).versions[1].state).toBe(
      'missing-file',
    );
  });

  it('stops with exit 3 on a recorded failure until `repair` clears it', async () => {
    writeFiles(dir, { 'migrations/0003_broken.sql': 'CREATE TABLE half_done (id int);\nSELECT * FROM missing_table;' });
    const failed = await migrate(url, ['up', '--dir', dir]);
    expect(failed.code).toBe(1);

    writeFiles(dir, { 'migrations/0004_create_pending.sql': 'CREATE TABLE pending_one (id int);' });
    const stopped = await migrate(url, ['up', '--dir', dir]);
    expect(stopped.code).toBe(3);
    expect(stopped.stderr).toContain('migrations/0003_broken.sql failed at');
    expect(stopped.stderr).toContain('0003_broken.sql:2: 42P01 relation "missing_table" does not exist');
    expect(stopped.stderr).toContain('run `repair 0003` and `up` again');
    expect(await userRelations(url)).not.toContain('public.pending_one');

    expect(await migrate(url, ['repair', '0001', '--dir', dir])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining(
        '0001_create_users is recorded as applied; repair only clears failed or interrupted records',
      ),
    });
    expect((await migrate(url, ['repair', '0009', '--dir', dir])).code).toBe(2);
    expect(await migrate(url, ['repair', '0003', '--dir', dir])).toMatchObject({
      code: 0,
      stdout: 'cleared the failed record of 0003_broken; `up` will run it again\n',
    });

    writeFiles(dir, { 'migrations/0003_broken.sql': 'CREATE TABLE half_done (id int);' });
    expect((await migrate(url, ['up', '--dir', dir])).code).toBe(0);
    expect((await trackingRows(url)).map((row) => [row.version, row.status])).toEqual([
      ['0001', 'applied'],
      ['0002', 'applied'],
      ['0003', 'applied'],
      ['0004', 'applied'],
    ]);
  });

  it('stops with exit 3 on a record left running by a runner that died, until `repair`', async () => {
    await query(
      url,
      `INSERT INTO schema_migrations (version, name, checksum, status, statements_done, applied_by)
       VALUES ('0003', '0003_concurrent_index', 'x', 'running', 1, 'postgres@elsewhere pid 1')`,
    );
    writeFiles(dir, { 'migrations/0003_concurrent_index.sql': '-- migrate:no-transaction\nSELECT 1;\nSELECT 2;' });

    const run = await migrate(url, ['up', '--dir', dir]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(
      '0003_concurrent_index.sql was interrupted after 1 statement(s) (started by postgres@elsewhere pid 1',
    );
    expect((await migrate(url, ['repair', '0003', '--dir', dir])).code).toBe(0);
    expect((await migrate(url, ['up', '--dir', dir])).code).toBe(0);
  });

  it('stops with exit 3 when a new file takes a version below one already applied', async () => {
    writeFiles(dir, { 'migrations/0004_next.sql': 'CREATE TABLE next_one (id int);' });
    expect((await migrate(url, ['up', '--dir', dir])).code).toBe(0);
    writeFiles(dir, { 'migrations/0003_from_old_branch.sql': 'CREATE TABLE from_old_branch (id int);' });

    const run = await migrate(url, ['up', '--dir', dir]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('0003_from_old_branch.sql is pending but version 0004 is already recorded');
    expect(await userRelations(url)).not.toContain('public.from_old_branch');
  });
});
