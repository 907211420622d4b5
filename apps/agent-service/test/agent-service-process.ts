import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';

/** The build output the tests run: what `node apps/agent-service/dist/main.js` runs in production. */
export const MAIN = path.join(__dirname, '..', 'dist', 'main.js');

export interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

export interface ServiceProcess {
  child: ChildProcess;
  /** Every JSON log line so far, parsed. */
  logs: LogLine[];
  stderr(): string;
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  exited: Promise<number | string>;
}

/** Starts the built service with exactly `env` (plus PATH) and collects its output. */
export function spawnService(env: Record<string, string>): ServiceProcess {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npx nx build agent-service\` first`);
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  let stderr = '';
  let partial = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) logs.push(JSON.parse(line) as LogLine);
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string);
  return { child, logs, stderr: () => stderr, exited };
}

/** Waits until the service logged that it is ready; returns its health port. */
export async function waitUntilReady(service: ServiceProcess, timeoutMs = 20_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ready = service.logs.find((line) => line.msg === 'agent-service ready');
    if (ready) return ready.healthPort as number;
    if (service.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(
    `agent-service did not become ready:\n${service.stderr()}\n${JSON.stringify(service.logs.slice(-10))}`,
  );
}

/** Polls `probe` until it returns a value other than undefined. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
