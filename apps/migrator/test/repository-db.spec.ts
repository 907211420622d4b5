import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '@plue/testing';
import { migrate, repositoryDbDir, spawnMigrator } from './helpers';

/** The repository's own db/ folder, through the built CLI with its default folder, as `npm run migrate` runs it. */
describe('the repository db/ folder', () => {
  const databases: TestDatabase[] = [];
  afterAll(() => Promise.all(databases.map((database) => database.drop())));
  const files = readdirSync(path.join(repositoryDbDir, 'migrations')).filter((file) => file.endsWith('.sql'));

  it('migrates an empty database, a second up applies nothing, status lists all applied, verify passes', async () => {
    const database = await createTestDatabase({ empty: true });
    databases.push(database);
    const env = { DATABASE_URL: database.url };

    const first = await spawnMigrator(['up'], env);
    expect(first).toMatchObject({ code: 0, stderr: expect.stringContaining('✓ baseline') });
    expect(await spawnMigrator(['up'], env)).toMatchObject({
      code: 0,
      stdout: 'nothing to apply: the database is up to date\n',
    });

    const status = await spawnMigrator(['status', '--json', '--check'], env);
    expect(status.code).toBe(0);
    const report = JSON.parse(status.stdout);
    expect(report.versions.map((version: { name: string }) => `${version.name}.sql`)).toEqual(files);
    for (const version of report.versions) expect(version.state).toBe('applied');

    const verify = await spawnMigrator(['verify'], env);
    expect(verify.stdout).not.toContain('✗');
    expect(verify.code).toBe(0);
  });

  it('migrates an empty database through the chain of migrations alone', async () => {
    const database = await createTestDatabase({ empty: true });
    databases.push(database);
    expect((await migrate(database.url, ['up', '--no-baseline', '--dir', repositoryDbDir])).code).toBe(0);
    const verify = await migrate(database.url, ['verify', '--dir', repositoryDbDir]);
    expect(verify.stdout).not.toContain('✗');
    expect(verify.code).toBe(0);
  });

  it('makes verify fail, naming the column, when one default in schema.sql changes', async () => {
    const database = await createTestDatabase({ empty: true });
    databases.push(database);
    const copy = mkdtempSync(path.join(tmpdir(), 'plue-migrator-db-'));
    try {
      cpSync(repositoryDbDir, copy, { recursive: true });
      const { sql, column } = flipFirstBooleanDefault(readFileSync(path.join(copy, 'schema.sql'), 'utf8'));
      writeFileSync(path.join(copy, 'schema.sql'), sql);

      const run = await migrate(database.url, ['verify', '--dir', copy]);
      expect(run.code).toBe(5);
      expect(run.stdout).toContain(`column ${column}: default differs`);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});

/** Turns the first `DEFAULT true|false` of a CREATE TABLE column into its opposite; returns the column's name. */
function flipFirstBooleanDefault(sql: string): { sql: string; column: string } {
  const lines = sql.split('\n');
  let table: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const create = /^\s*CREATE TABLE (?:IF NOT EXISTS )?([\w.]+)/i.exec(lines[i]);
    if (create) table = create[1].includes('.') ? create[1] : `public.${create[1]}`;
    const column = /^\s+(\w+)\s.*\bDEFAULT (true|false)\b/i.exec(lines[i]);
    if (table && column) {
      lines[i] = lines[i].replace(
        /\bDEFAULT (true|false)\b/i,
        column[2].toLowerCase() === 'true' ? 'DEFAULT false' : 'DEFAULT true',
      );
      return { sql: lines.join('\n'), column: `${table}.${column[1]}` };
    }
  }
  throw new Error('db/schema.sql has no column with a boolean default to change');
}
