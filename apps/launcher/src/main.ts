import { spawn } from 'node:child_process';
import path from 'node:path';
import { startEmbeddedDatabase, type RunningDatabase } from './embedded-database';

// `npm start`: the platform on one machine. For now it brings up the database (DATABASE_URL, or the
// embedded default), migrates it with the one migration runner, reports its status and keeps it
// running until Ctrl-C. The services join here as they are built.

const repoRoot = path.resolve(__dirname, '../../..');
const migratorMain = path.join(repoRoot, 'apps/migrator/dist/main.js');

async function main(): Promise<void> {
  const database = await openDatabase();
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping…');
    await database.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  console.log(`database: ${database.description}`);
  const migrated =
    (await runMigrator(['up'], database.url)) === 0 && (await runMigrator(['status'], database.url)) === 0;
  if (!migrated) return stop(1);

  console.log(`\nPlue is up.\n  DATABASE_URL=${database.url}\nPress Ctrl-C to stop.`);
}

async function openDatabase(): Promise<RunningDatabase> {
  if (process.env.DATABASE_URL) {
    return { url: process.env.DATABASE_URL, description: 'DATABASE_URL', stop: async () => undefined };
  }
  const dataDir = path.resolve(repoRoot, process.env.PLUE_DATA_DIR ?? '.data', 'postgres');
  return startEmbeddedDatabase(dataDir, embeddedPort());
}

function embeddedPort(): number {
  const raw = process.env.PLUE_EMBEDDED_PG_PORT ?? '54320';
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`PLUE_EMBEDDED_PG_PORT must be a port number (1-65535), got "${raw}"`);
  }
  return port;
}

function runMigrator(args: string[], databaseUrl: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [migratorMain, ...args], {
      env: { ...process.env, DATABASE_URL: databaseUrl },
      stdio: 'inherit',
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
