import { Client } from 'pg';
import { adminUrl, createTestDatabase } from '@plue/testing';

async function tableCount(url: string): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'",
    );
    return rows[0].n;
  } finally {
    await client.end();
  }
}

async function databaseExists(name: string): Promise<boolean> {
  const admin = new Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return rowCount === 1;
  } finally {
    await admin.end();
  }
}

describe('test databases', () => {
  it('clones the migrated template, one isolated database per call', async () => {
    const [first, second] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    try {
      expect(first.name).not.toBe(second.name);
      const client = await first.connect();
      const { rows } = await client.query(
        "SELECT count(*)::int AS n FROM schema_migrations WHERE status IN ('applied', 'baseline')",
      );
      expect(rows[0].n).toBeGreaterThan(0);

      await client.query('CREATE TABLE only_in_first (x int)');
      expect(await tableCount(first.url)).toBe((await tableCount(second.url)) + 1);
    } finally {
      await Promise.all([first.drop(), second.drop()]);
    }
  });

  it('creates empty databases on request', async () => {
    const empty = await createTestDatabase({ empty: true });
    try {
      expect(await tableCount(empty.url)).toBe(0);
    } finally {
      await empty.drop();
    }
  });

  it('connects as a service role and drops the database with its open connections', async () => {
    const database = await createTestDatabase();
    const readonly = await database.connect('plue_readonly');
    const { rows } = await readonly.query<{ user: string }>('SELECT current_user AS user');
    expect(rows[0].user).toBe('plue_readonly');

    await database.drop();
    expect(await databaseExists(database.name)).toBe(false);
  });
});
