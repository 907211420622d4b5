import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

// The built launcher as `npm start` runs it, for the launcher's tests: its output, the table it
// prints once up, and its whole process tree.

const launcherMain = path.resolve(__dirname, '../dist/main.js');

export interface ServiceRow {
  name: string;
  pid: number;
  healthUrl: string;
  role: string;
}

export interface Launch {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | string>;
  /** Resolves with the "Plue is up" table's rows once printed; rejects if the launcher exits first. */
  up(timeoutMs?: number): Promise<ServiceRow[]>;
  /** Sends `signal` to the launcher's process group, as a terminal's Ctrl-C does. */
  signalGroup(signal: NodeJS.Signals): void;
}

/** Starts the built launcher in a process group of its own with exactly `env`. */
export function launch(env: Record<string, string>): Launch {
  const child = spawn(process.execPath, [launcherMain], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve((code ?? signal) as number | string)),
  );
  return {
    child,
    output: () => output,
    exited,
    async up(timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      while (!output.includes('Press Ctrl-C to stop.')) {
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the launcher exited:\n${output}`);
        if (Date.now() > deadline) throw new Error(`the launcher was not up in time:\n${output}`);
        await sleep(100);
      }
      return [...output.matchAll(/^ {2}(\w+-service) +(\d+) +(http:\S+) +(\w+)/gm)].map(([, name, pid, url, role]) => ({
        name,
        pid: Number(pid),
        healthUrl: url,
        role,
      }));
    },
    signalGroup(signal) {
      process.kill(-child.pid!, signal);
    },
  };
}

/** Every process below `pid` (children, their children…), from ps. */
export function descendants(pid: number): number[] {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number));
  const found: number[] = [];
  const queue = [pid];
  while (queue.length) {
    const parent = queue.shift()!;
    for (const [child, ppid] of rows) {
      if (ppid === parent) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

/** False once the process has exited (a zombie waiting for init to reap it counts as exited). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Waits until none of `pids` is alive; returns those still alive after `timeoutMs`. */
export async function survivors(pids: number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const alive = pids.filter(isAlive);
    if (alive.length === 0 || Date.now() > deadline) return alive;
    await sleep(200);
  }
}

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
