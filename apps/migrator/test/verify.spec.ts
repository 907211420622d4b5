import { createTestDatabase, type TestDatabase } from '@plue/testing';
import { consistentFiles, migration0003, schemaSql } from './fixtures';
import { migrate, query, useFixtures, writeFiles } from './helpers';

const fixture = useFixtures();
let database: TestDatabase;
let dir: string;
beforeAll(async () => {
  database = await createTestDatabase({ empty: true });
  dir = fixture(consistentFiles);
  expect((await migrate(database.url, ['up', '--dir', dir])).code).toBe(0);
});
afterAll(() => database.drop());

/** verify against a copy of the consistent fixture with some files replaced. */
const verifyWith = (files: Record<string, string> = {}) =>
  migrate(database.url, ['verify', '--no-entities', '--dir', fixture({ ...consistentFiles, ...files })]);

describe('verify', () => {
  it('passes when schema.sql, the migrations and the database agree', async () => {
    const run = await migrate(database.url, ['verify', '--no-entities', '--dir', dir]);
    expect(run.stdout).toMatch(/^✓ schema\.sql declares the latest migration as its baseline/m);
    expect(run.stdout).toMatch(/^✓ schema\.sql and the chain of migrations build the same schema/m);
    expect(run.stdout).toMatch(/^✓ the database at DATABASE_URL has not drifted from its applied migrations/m);
    expect(run.code).toBe(0);
  });

  it('fails with exit 5 and names the column when a default in schema.sql changes', async () => {
    const run = await verifyWith({
      'schema.sql': schemaSql.replace(
        'is_active boolean NOT NULL DEFAULT true',
        'is_active boolean NOT NULL DEFAULT false',
      ),
    });
    expect(run.code).toBe(5);
    expect(run.stdout).toContain('✗ schema.sql and the chain of migrations build the same schema: 1 difference(s)');
    expect(run.stdout).toContain(
      '    column public.users.is_active: default differs (schema.sql: false, migrations: true)',
    );
  });

  it('names every kind of object that differs: types, constraints, indexes, functions, triggers, privileges', async () => {
    const changed = schemaSql
      .replace("('active', 'blocked')", "('active', 'blocked', 'deleted')")
      .replace('BETWEEN 1 AND 40', 'BETWEEN 1 AND 64')
      .replace('ON users (lower(username))', 'ON users (username)')
      .replace('NEW.updated_at := now();', 'NEW.updated_at := clock_timestamp();')
      .replace('GRANT SELECT ON users TO PUBLIC;', 'GRANT SELECT, INSERT ON users TO PUBLIC;')
      .replace(/CREATE TRIGGER[^;]+;/, '')
      .replace('bio text,', 'bio varchar(200),');
    const run = await verifyWith({ 'schema.sql': `${changed}\nCREATE TABLE extra (id int);\n` });
    expect(run.code).toBe(5);
    const lines = run.stdout.split('\n').map((line) => line.trim());
    expect(lines).toEqual(
      expect.arrayContaining([
        "enum public.user_state: definition differs (schema.sql: 'active', 'blocked', 'deleted', migrations: 'active', 'blocked')",
        'constraint users_username_length on public.users: definition differs (schema.sql: CHECK (char_length(username) >= 1 AND char_length(username) <= 64), migrations: CHECK (char_length(username) >= 1 AND char_length(username) <= 40))',
        expect.stringMatching(
          /^index public\.users_username_lower_key: definition differs \(schema\.sql: .*USING btree \(username\), migrations: .*USING btree \(lower\(username\)\)\)$/,
        ),
        expect.stringMatching(
          /^function public\.set_updated_at\(\): definition differs \(schema\.sql: .*clock_timestamp.*, migrations: .*now\(\).*\)$/,
        ),
        'trigger users_set_updated_at on public.users: only in migrations',
        'table public.users: acl differs (only in schema.sql: PUBLIC=INSERT)',
        'column public.users.bio: type differs (schema.sql: character varying(200), migrations: text)',
        'table public.extra: only in schema.sql',
      ]),
    );
    // A table only on one side is one difference, not one per column.
    expect(lines.filter((line) => line.includes('extra'))).toEqual(['table public.extra: only in schema.sql']);
  });

  it('reports a schema.sql whose baseline marker is not the latest migration', async () => {
    const run = await verifyWith({ 'migrations/0003_create_posts.sql': migration0003 });
    expect(run.code).toBe(5);
    expect(run.stdout).toContain('declares "-- migrate:baseline 0002" but the latest migration is');
    expect(run.stdout).toContain('0003_create_posts.sql');
    expect(run.stdout).toContain('table public.posts: only in migrations');
  });

  it('reports a migration that does not apply to an empty database as a finding, naming file and line', async () => {
    const run = await verifyWith({ 'schema.sql': `${schemaSql}\nCREATE INDEX broken ON users (no_such_column);\n` });
    expect(run.code).toBe(5);
    expect(run.stdout).toMatch(/schema\.sql:\d+: 42703 column "no_such_column" does not exist/);
  });

  it('reports a column added or dropped by hand in the database as drift, naming table and column', async () => {
    await query(database.url, 'ALTER TABLE users ADD COLUMN nickname text');
    try {
      const added = await migrate(database.url, ['verify', '--no-entities', '--dir', dir]);
      expect(added.code).toBe(5);
      expect(added.stdout).toContain(
        '✗ the database at DATABASE_URL has not drifted from its applied migrations: 1 difference(s)',
      );
      expect(added.stdout).toContain('    column public.users.nickname: only in database');
      expect(added.stdout).toMatch(/^✓ schema\.sql and the chain/m);
    } finally {
      await query(database.url, 'ALTER TABLE users DROP COLUMN nickname');
    }

    await query(database.url, 'ALTER TABLE users DROP COLUMN bio');
    const dropped = await migrate(database.url, ['verify', '--no-entities', '--dir', dir]);
    expect(dropped.code).toBe(5);
    expect(dropped.stdout).toContain('    column public.users.bio: only in migrations');
  });

  it('reports a grant made by hand as drift', async () => {
    await query(database.url, 'GRANT UPDATE (state) ON users TO PUBLIC');
    const run = await migrate(database.url, ['verify', '--no-entities', '--dir', dir]);
    expect(run.code).toBe(5);
    expect(run.stdout).toContain('    column public.users.state: acl differs (only in database: PUBLIC=UPDATE)');
  });

  it('compares the database with the migrations it has applied, not with later ones', async () => {
    const later = await createTestDatabase({ empty: true });
    try {
      const chain = fixture(consistentFiles);
      expect((await migrate(later.url, ['up', '--no-baseline', '--dir', chain])).code).toBe(0);
      writeFiles(chain, {
        'migrations/0003_create_posts.sql': migration0003,
        'schema.sql': `${schemaSql.replace('baseline 0002', 'baseline 0003')}\n${migration0003}`,
      });
      const run = await migrate(later.url, ['verify', '--no-entities', '--dir', chain]);
      expect(run.stdout).not.toContain('✗');
      expect(run.code).toBe(0);
    } finally {
      await later.drop();
    }
  });
});
