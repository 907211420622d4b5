import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '@plue/testing';
import { MESSAGING_SCHEMAS, MESSAGING_TABLES, TABLE_OWNERS } from './table-ownership';

const schemaPath = path.resolve(__dirname, '../schema.sql');

/** `psql "$url" < db/schema.sql`, as the seed note says; the pg client where psql is not installed. */
async function applySchemaFile(url: string): Promise<void> {
  const psql = spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', url], {
    input: readFileSync(schemaPath),
    encoding: 'utf8',
  });
  if (psql.error && (psql.error as NodeJS.ErrnoException).code === 'ENOENT') {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(readFileSync(schemaPath, 'utf8'));
    } finally {
      await client.end();
    }
    return;
  }
  if (psql.status !== 0) throw new Error(`psql failed (exit ${psql.status}):\n${psql.stderr}`);
}

describe('db/schema.sql', () => {
  const databases: TestDatabase[] = [];
  afterAll(() => Promise.all(databases.map((database) => database.drop())));

  it('applies to empty databases, several at once (roles are shared by the cluster)', async () => {
    databases.push(...(await Promise.all([1, 2, 3].map(() => createTestDatabase({ empty: true })))));
    await Promise.all(databases.map((database) => applySchemaFile(database.url)));

    const expectedTables = [
      ...Object.values(TABLE_OWNERS).flatMap((tables) => tables.map((table) => `public.${table}`)),
      ...Object.values(MESSAGING_SCHEMAS).flatMap((schema) => MESSAGING_TABLES.map((table) => `${schema}.${table}`)),
    ].sort();
    for (const database of databases) {
      const client = await database.connect();
      const { rows } = await client.query<{ name: string }>(
        "SELECT schemaname || '.' || tablename AS name FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1",
      );
      expect(rows.map((row) => row.name).sort()).toEqual(expectedTables);
    }
  });
});
