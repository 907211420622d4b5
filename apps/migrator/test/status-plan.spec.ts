import { createTestDatabase, type TestDatabase } from '@plue/testing';
import { withPosts } from './fixtures';
import { migrate, query, useFixtures } from './helpers';

const fixture = useFixtures();
let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase({ empty: true });
});
afterAll(() => database.drop());

const relationCount = async (url: string) =>
  (
    await query<{ count: number }>(
      url,
      "SELECT count(*)::int AS count FROM pg_class WHERE relnamespace = 'public'::regnamespace",
    )
  )[0].count;

describe('status and plan', () => {
  it('report pending work on an empty database without changing it; up then makes status clean', async () => {
    const dir = fixture(withPosts);

    const pending = await migrate(database.url, ['status', '--json', '--dir', dir]);
    expect(pending.code).toBe(0);
    const report = JSON.parse(pending.stdout);
    expect(report).toMatchObject({ pending: 3, problems: [] });
    expect(
      report.versions.map((version: { version: string; state: string }) => [version.version, version.state]),
    ).toEqual([
      ['0001', 'pending'],
      ['0002', 'pending'],
      ['0003', 'pending'],
    ]);
    expect(report.versions[0]).toMatchObject({
      name: '0001_create_users',
      checksum: expect.stringMatching(/^[0-9a-f]{64}$/),
      appliedAt: null,
    });

    expect((await migrate(database.url, ['status', '--check', '--dir', dir])).code).toBe(4);
    const table = await migrate(database.url, ['status', '--dir', dir]);
    expect(table.stdout).toMatch(
      /^database \S+: 3 pending\nversion +state +via +applied at +time +name\n0001 +pending +0001_create_users\n/,
    );

    expect(await migrate(database.url, ['plan', '--dir', dir])).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^baseline .*schema\.sql \(stands for 0001\.\.0002\)\n0003_create_posts\n$/),
    });
    expect((await migrate(database.url, ['plan', '--no-baseline', '--dir', dir])).stdout).toBe(
      '0001_create_users\n0002_users_username_index (no transaction)\n0003_create_posts\n',
    );
    expect(await relationCount(database.url)).toBe(0);

    expect((await migrate(database.url, ['up', '--dir', dir])).code).toBe(0);
    const done = await migrate(database.url, ['status', '--json', '--check', '--dir', dir]);
    expect(done.code).toBe(0);
    expect(
      JSON.parse(done.stdout).versions.map((version: { state: string; appliedVia: string }) => [
        version.state,
        version.appliedVia,
      ]),
    ).toEqual([
      ['applied', 'baseline'],
      ['applied', 'baseline'],
      ['applied', 'migration'],
    ]);
    expect((await migrate(database.url, ['plan', '--dir', dir])).stdout).toBe(
      'nothing to apply: the database is up to date\n',
    );
  });
});
