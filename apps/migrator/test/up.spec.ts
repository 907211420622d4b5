import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '@plue/testing';
import { consistentFiles, migration0003, withPosts } from './fixtures';
import { migrate, query, trackingRows, useFixtures, userRelations, writeFiles } from './helpers';

const fixture = useFixtures();
const databases: TestDatabase[] = [];
afterAll(() => Promise.all(databases.map((database) => database.drop())));

async function emptyDatabase(): Promise<string> {
  const database = await createTestDatabase({ empty: true });
  databases.push(database);
  return database.url;
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('up', () => {
  it('applies every migration of the chain, records each, and a second run applies nothing', async () => {
    const url = await emptyDatabase();
    const dir = fixture(withPosts);

    const first = await migrate(url, ['up', '--no-baseline', '--dir', dir]);
    expect(first).toMatchObject({ code: 0 });
    expect(first.stderr).toMatch(/→ 0001_create_users\n✓ 0001_create_users applied in \d+ ms/);
    expect(first.stderr).toContain('0002_users_username_index (no transaction');

    const rows = await trackingRows(url);
    expect(rows.map((row) => [row.version, row.name, row.status, row.statements_done])).toEqual([
      ['0001', '0001_create_users', 'applied', 4],
      ['0002', '0002_users_username_index', 'applied', 2],
      ['0003', '0003_create_posts', 'applied', 2],
    ]);
    for (const row of rows) {
      expect(row.checksum).toBe(sha256(path.join(dir, 'migrations', `${row.name}.sql`)));
      expect(row.execution_ms).toEqual(expect.any(Number));
      expect(row.applied_by).toMatch(/^postgres@.+ pid \d+$/);
      expect(Date.now() - (row.applied_at as Date).getTime()).toBeLessThan(60_000);
      expect(row.error).toBeNull();
    }
    expect(await userRelations(url)).toEqual(
      expect.arrayContaining(['public.posts', 'public.users', 'public.users_username_lower_key']),
    );

    const second = await migrate(url, ['up', '--dir', dir]);
    expect(second).toMatchObject({ code: 0, stdout: 'nothing to apply: the database is up to date\n' });
    expect(await trackingRows(url)).toEqual(rows);
  });

  it('loads an empty database from schema.sql, records the versions it stands for as baseline, then runs later ones', async () => {
    const url = await emptyDatabase();
    const dir = fixture(withPosts);

    const run = await migrate(url, ['up', '--dir', dir]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/✓ baseline .*schema\.sql \(stands for 0001\.\.0002\) loaded in \d+ ms/);
    const rows = await trackingRows(url);
    expect(rows.map((row) => [row.version, row.status, row.checksum])).toEqual([
      ['0001', 'baseline', sha256(path.join(dir, 'migrations/0001_create_users.sql'))],
      ['0002', 'baseline', sha256(path.join(dir, 'migrations/0002_users_username_index.sql'))],
      ['0003', 'applied', sha256(path.join(dir, 'migrations/0003_create_posts.sql'))],
    ]);
    const [comment] = await query<{ comment: string }>(
      url,
      "SELECT obj_description('public.users'::regclass) AS comment",
    );
    expect(comment.comment).toBe('loaded from schema.sql');

    writeFiles(dir, { 'migrations/0004_add_nickname.sql': 'ALTER TABLE users ADD COLUMN nickname text;' });
    const later = await migrate(url, ['up', '--dir', dir]);
    expect(later.code).toBe(0);
    expect(later.stderr).not.toContain('0003_create_posts');
    expect((await trackingRows(url)).map((row) => [row.version, row.status])).toEqual([
      ['0001', 'baseline'],
      ['0002', 'baseline'],
      ['0003', 'applied'],
      ['0004', 'applied'],
    ]);
  });

  it('runs the chain instead of schema.sql with --no-baseline', async () => {
    const url = await emptyDatabase();
    const dir = fixture(consistentFiles);
    expect((await migrate(url, ['up', '--no-baseline', '--dir', dir])).code).toBe(0);
    expect((await trackingRows(url)).map((row) => row.status)).toEqual(['applied', 'applied']);
    const [comment] = await query<{ comment: string | null }>(
      url,
      "SELECT obj_description('public.users'::regclass) AS comment",
    );
    expect(comment.comment).toBeNull();
  });

  it('refuses a database that holds relations but no migration history (exit 3), creating nothing', async () => {
    const url = await emptyDatabase();
    await query(url, 'CREATE TABLE legacy (id int)');
    const run = await migrate(url, ['up', '--dir', fixture(consistentFiles)]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('has no migration history but already holds relations (public.legacy)');
    expect(await userRelations(url)).toEqual(['public.legacy']);
    expect(await query(url, "SELECT to_regclass('public.schema_migrations') AS t")).toEqual([{ t: null }]);
  });

  it('does not let a SET in one file change how the next file runs', async () => {
    const url = await emptyDatabase();
    const dir = fixture({
      'migrations/0001_other_schema.sql':
        'CREATE SCHEMA other;\nSET search_path = other;\nCREATE TABLE inside_other (id int);',
      'migrations/0002_plain_table.sql': 'CREATE TABLE plain (id int);',
    });
    expect((await migrate(url, ['up', '--dir', dir])).code).toBe(0);
    expect(await userRelations(url)).toEqual(['other.inside_other', 'public.plain']);
  });

  it('answers configuration mistakes with exit code 2 and a clear message', async () => {
    const url = await emptyDatabase();
    const dir = fixture({ 'migrations/0001_ok.sql': migration0003 });

    const noUrl = await migrate('', ['up', '--dir', dir]);
    expect(noUrl).toMatchObject({ code: 2, stderr: expect.stringContaining('DATABASE_URL is not set') });
    expect((await migrate('mysql://x/y', ['up', '--dir', dir])).stderr).toContain('must start with postgres://');
    expect((await migrate(url, ['up', '--dir', path.join(dir, 'nowhere')])).code).toBe(2);
    expect((await migrate(url, ['up', '--retries', 'many', '--dir', dir])).code).toBe(2);
    expect((await migrate(url, ['sideways'])).code).toBe(2);

    writeFiles(dir, { 'migrations/12_short.sql': 'SELECT 1;' });
    const badName = await migrate(url, ['up', '--dir', dir]);
    expect(badName).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('12_short.sql: migration files are named NNNN_slug.sql'),
    });

    const typo = fixture({ 'migrations/0001_typo.sql': '-- migrate:no-transactions\nSELECT 1;' });
    expect(await migrate(url, ['up', '--dir', typo])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('unknown directive "-- migrate:no-transactions"'),
    });
    expect(await userRelations(url)).toEqual([]);
  });
});
