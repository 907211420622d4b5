import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';

// Minimal copy of the services' own test-process helpers: spawn a built service, collect its JSON
// log lines, wait for its "ready" line.

export interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  logs: LogLine[];
  stderr(): string;
  exited: Promise<number | string>;
}

/** The build output of a workspace app (`main` of its package.json: `dist/main.js`). */
export function builtMain(packageName: string): string {
  try {
    return require.resolve(packageName);
  } catch {
    throw new Error(`${packageName} has no build output: run \`npx nx run-many -t build\` first`);
  }
}

/** Starts the built service with exactly `env` (plus PATH) and collects its output. */
export function spawnService(name: string, main: string, env: Record<string, string>): ServiceProcess {
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`npx nx build ${name}\` first`);
  const child = spawn(process.execPath, [main], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  let stderr = '';
  let partial = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.trim()) continue;
      try {
        logs.push(JSON.parse(line) as LogLine);
      } catch {
        stderr += `${line}\n`;
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string);
  return { name, child, logs, stderr: () => stderr, exited };
}

/**
 * Waits until the service logged `<name> ready`; returns its health port. A start takes seconds on an
 * idle machine; the default leaves room for a busy one within Jest's 60 s hook timeout.
 */
export async function waitUntilReady(service: ServiceProcess, timeoutMs = 50_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ready = service.logs.find((line) => line.msg === `${service.name} ready`);
    if (ready) return ready.healthPort as number;
    if (service.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(
    `${service.name} did not become ready:\n${service.stderr()}\n${JSON.stringify(service.logs.slice(-10))}`,
  );
}

/** SIGTERM, then SIGKILL if the process has not exited after `graceMs`. */
export async function stopService(service: ServiceProcess | undefined, graceMs = 15_000): Promise<void> {
  if (!service || service.child.exitCode !== null || service.child.signalCode !== null) return;
  service.child.kill('SIGTERM');
  const timer = setTimeout(() => service.child.kill('SIGKILL'), graceMs);
  await service.exited;
  clearTimeout(timer);
}

/** Polls `probe` until it returns a value other than undefined. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** How many messages on `subject` each instance logged as handled (RPC or event), in instance order. */
export function handledPerInstance(instances: ServiceProcess[], subject: string): number[] {
  return instances.map(
    (instance) => instance.logs.filter((line) => line.msg === 'message handled' && line.subject === subject).length,
  );
}
