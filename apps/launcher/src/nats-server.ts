import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Watchdog } from './watchdog';

export interface OwnNatsServer {
  pid: number | undefined;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 10_000;
const LOG_LINES = 30;

/**
 * Starts nats-server (NATS_SERVER_BIN, or the first on PATH) on 127.0.0.1:<port> with JetStream
 * and its store in `storeDir`, in a process group of its own so a Ctrl-C reaches only the launcher,
 * which stops it after the services. Resolves once the server logs that it is ready.
 */
export async function startNatsServer(port: number, storeDir: string, watchdog: Watchdog): Promise<OwnNatsServer> {
  const binary = findBinary();
  await mkdir(storeDir, { recursive: true });
  const child = spawn(binary, ['-js', '-sd', storeDir, '-a', '127.0.0.1', '-p', String(port)], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  watchdog.watch(child.pid);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const log: string[] = [];
  const ready = new Promise<void>((resolve) => {
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        log.push(line);
        if (log.length > LOG_LINES) log.shift();
        if (line.includes('Server is ready')) resolve();
      });
    }
  });
  const stop = async () => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  };
  let timer: NodeJS.Timeout | undefined;
  const failed = await Promise.race([
    ready.then(() => undefined),
    new Promise<string>((resolve) =>
      child.once('error', (error) => resolve(`nats-server (${binary}) could not start: ${error.message}`)),
    ),
    exited.then(() => `nats-server (${binary}) exited at start`),
    new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(`nats-server was not ready within ${READY_TIMEOUT_MS} ms`), READY_TIMEOUT_MS);
    }),
  ]);
  clearTimeout(timer);
  if (failed) {
    await stop();
    throw new Error(`${failed}:\n${log.join('\n')}`);
  }
  return { pid: child.pid, stop };
}

function findBinary(): string {
  const explicit = process.env.NATS_SERVER_BIN;
  if (explicit) {
    if (isExecutable(explicit)) return explicit;
    throw new Error(`NATS_SERVER_BIN=${explicit} is not an executable file`);
  }
  for (const directory of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(directory || '.', 'nats-server');
    if (isExecutable(candidate)) return candidate;
  }
  throw new Error('nats-server is not on PATH');
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
