import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { repoRoot } from './settings';
import type { Watchdog } from './watchdog';

export interface RunningDatabase {
  /** The launcher's connection: it migrates and manages the service roles. */
  url: string;
  description: string;
  /** Process id of the embedded server's host process; undefined for DATABASE_URL. */
  pid: number | undefined;
  stop(): Promise<void>;
}

const migratorMain = path.join(repoRoot, 'apps/migrator/dist/main.js');

/** DATABASE_URL as given, or the embedded server with its data in `<dataDir>/postgres`. */
export async function openDatabase(
  databaseUrl: string | undefined,
  dataDir: string,
  port: number,
  watchdog: Watchdog,
): Promise<RunningDatabase> {
  if (databaseUrl) return { url: databaseUrl, description: 'DATABASE_URL', pid: undefined, stop: async () => {} };

  const host = spawn(
    process.execPath,
    [path.join(__dirname, 'embedded-database-host.js'), path.join(dataDir, 'postgres'), String(port)],
    { detached: true, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  watchdog.watch(host.pid);
  const exited = once(host, 'exit');
  const stop = async () => {
    if (host.exitCode !== null || host.signalCode !== null) return;
    host.kill('SIGTERM');
    await exited;
  };
  const firstLine = new Promise<string>((resolve) => createInterface({ input: host.stdout! }).once('line', resolve));
  const outcome = await Promise.race([firstLine, exited.then(() => undefined)]);
  if (outcome === undefined) throw new Error('the embedded PostgreSQL did not start (its error is above)');
  const { url, description } = JSON.parse(outcome) as { url: string; description: string };
  return { url, description, pid: host.pid, stop };
}

/** Runs the migrator CLI against `databaseUrl`, its output going to the terminal; resolves with its exit code. */
export async function runMigrator(args: string[], databaseUrl: string): Promise<number> {
  const child = spawn(process.execPath, [migratorMain, ...args], {
    env: { ...process.env, DATABASE_URL: databaseUrl },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  return code ?? 1;
}
