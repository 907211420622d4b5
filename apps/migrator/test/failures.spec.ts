import { createTestDatabase, type TestDatabase } from '@plue/testing';
import { migrate, query, trackingRows, useFixtures, userRelations } from './helpers';

const fixture = useFixtures();
let database: TestDatabase;
beforeEach(async () => {
  database = await createTestDatabase({ empty: true });
});
afterEach(() => database.drop());

const functionCount = async (url: string) =>
  (
    await query<{ count: number }>(
      url,
      "SELECT count(*)::int AS count FROM pg_proc WHERE pronamespace = 'public'::regnamespace",
    )
  )[0].count;

describe('a failing transactional migration', () => {
  it('leaves no objects behind and records the failure with file, line and SQLSTATE', async () => {
    const dir = fixture({
      'migrations/0001_orders.sql': [
        'CREATE TABLE orders (id int PRIMARY KEY);',
        'CREATE INDEX orders_id_idx ON orders (id);',
        'CREATE FUNCTION order_count() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM orders $$;',
        'CREATE VIEW order_view AS SELECT id FROM orders;',
        '',
        'ALTER TABLE orders',
        '  ADD COLUMN total',
        '    no_such_type;',
      ].join('\n'),
    });

    const run = await migrate(database.url, ['up', '--dir', dir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('migrations/0001_orders.sql:8: 42704 type "no_such_type" does not exist');
    expect(await userRelations(database.url)).toEqual([]);
    expect(await functionCount(database.url)).toBe(0);

    const [record] = await trackingRows(database.url);
    expect(record).toMatchObject({ version: '0001', status: 'failed', statements_done: 0 });
    expect(record.error).toContain('0001_orders.sql:8: 42704');
  });

  it('names the line of the statement and shows detail and hint when PostgreSQL gives no position', async () => {
    const dir = fixture({
      'migrations/0001_duplicates.sql':
        'CREATE TABLE codes (code int PRIMARY KEY);\n\nINSERT INTO codes\nVALUES (1), (1);\n',
    });
    const run = await migrate(database.url, ['up', '--dir', dir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      '0001_duplicates.sql:3: 23505 duplicate key value violates unique constraint "codes_pkey"',
    );
    expect(run.stderr).toContain('  detail: Key (code)=(1) already exists.');
    expect(await userRelations(database.url)).toEqual([]);
  });
});

describe('a no-transaction migration', () => {
  const table = {
    'migrations/0001_accounts.sql':
      "CREATE TABLE accounts (id int PRIMARY KEY, email text, region text);\nINSERT INTO accounts VALUES (1, 'a@x', 'eu'), (2, 'b@x', 'eu');",
  };
  const indexState = async (name: string) =>
    query<{ valid: boolean }>(
      database.url,
      'SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = to_regclass($1)',
      [name],
    );

  it('builds indexes with CREATE INDEX CONCURRENTLY, statement by statement, recording progress', async () => {
    const dir = fixture({
      ...table,
      'migrations/0002_account_indexes.sql': [
        '-- migrate:no-transaction',
        'CREATE INDEX CONCURRENTLY accounts_email_idx ON accounts (email);',
        'CREATE INDEX CONCURRENTLY IF NOT EXISTS accounts_region_idx ON accounts (region);',
      ].join('\n'),
    });
    const run = await migrate(database.url, ['up', '--dir', dir]);
    expect(run).toMatchObject({ code: 0 });
    expect(await indexState('accounts_email_idx')).toEqual([{ valid: true }]);
    expect(await indexState('accounts_region_idx')).toEqual([{ valid: true }]);
    expect((await trackingRows(database.url))[1]).toMatchObject({ status: 'applied', statements_done: 2 });
  });

  it('records how far it got when a statement fails, and hints at the INVALID index left behind', async () => {
    const dir = fixture({
      ...table,
      'migrations/0002_account_indexes.sql': [
        '-- migrate:no-transaction',
        'CREATE INDEX CONCURRENTLY accounts_email_idx ON accounts (email);',
        'CREATE UNIQUE INDEX CONCURRENTLY accounts_region_key',
        '  ON accounts (region);',
        'CREATE INDEX CONCURRENTLY accounts_never_idx ON accounts (id, email);',
      ].join('\n'),
    });
    const run = await migrate(database.url, ['up', '--dir', dir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      '0002_account_indexes.sql:3: 23505 could not create unique index "accounts_region_key"',
    );
    expect(run.stderr).toContain('DROP INDEX CONCURRENTLY IF EXISTS accounts_region_key;');
    expect((await trackingRows(database.url))[1]).toMatchObject({ status: 'failed', statements_done: 1 });
    expect(await indexState('accounts_email_idx')).toEqual([{ valid: true }]);
    expect(await indexState('accounts_region_key')).toEqual([{ valid: false }]);
    expect(await indexState('accounts_never_idx')).toEqual([]);

    const status = JSON.parse((await migrate(database.url, ['status', '--json', '--dir', dir])).stdout);
    expect(status.problems).toEqual([
      expect.stringContaining('its first 1 statement(s) had completed and were not rolled back'),
    ]);
  });
});
