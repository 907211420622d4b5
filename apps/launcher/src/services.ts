import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseLogLine, type LogOutput } from './log-output';
import { repoRoot, type Domain } from './settings';
import type { Watchdog } from './watchdog';

/** One of the four services, running from its build output (`apps/<name>/dist/main.js`). */
export class LaunchedService {
  /** Set from the service's `<name> ready` log line (it is the real port when HEALTH_PORT is 0). */
  healthPort: number | undefined;
  /** Resolves when the process has exited, however. */
  readonly exited: Promise<void>;
  private readonly recent: string[] = [];

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    output: LogOutput,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.on('error', (error) => this.remember(`launcher: ${error.message}`));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      this.remember(line);
      const entry = parseLogLine(line);
      if (entry?.msg === `${name} ready` && typeof entry.healthPort === 'number') this.healthPort = entry.healthPort;
      output(name, line, 'stdout');
    });
    createInterface({ input: child.stderr! }).on('line', (line) => {
      this.remember(line);
      output(name, line, 'stderr');
    });
  }

  /**
   * Spawns the service in a process group of its own, so that a Ctrl-C in the terminal reaches only
   * the launcher, which stops the services first and the things they use after them.
   */
  static start(domain: Domain, env: NodeJS.ProcessEnv, output: LogOutput, watchdog: Watchdog): LaunchedService {
    const name = `${domain}-service`;
    const child = spawn(process.execPath, [path.join(repoRoot, 'apps', name, 'dist/main.js')], {
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    watchdog.watch(child.pid);
    return new LaunchedService(name, child, output);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  get healthUrl(): string {
    return `http://127.0.0.1:${this.healthPort ?? '?'}/health/ready`;
  }

  /** The last lines it printed, for an error message. */
  lastLines(): string {
    return this.recent.join('\n');
  }

  /** Resolves once `/health/ready` answers 200; rejects when the service exits, the time is up or `signal` aborts. */
  async waitUntilReady(timeoutMs: number, signal: AbortSignal): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      signal.throwIfAborted();
      if (!this.running) throw new Error(`${this.name} exited during start (${this.exitDescription()})`);
      if (this.healthPort !== undefined && (await this.isReady())) return;
      if (Date.now() > deadline) throw new Error(`${this.name} was not ready within ${timeoutMs} ms`);
      await sleep(200);
    }
  }

  /** SIGTERM (the service drains), then SIGKILL if it has not exited after `timeoutMs`. */
  async stop(timeoutMs: number): Promise<void> {
    if (this.child.pid === undefined || !this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }

  private async isReady(): Promise<boolean> {
    try {
      const response = await fetch(this.healthUrl, { signal: AbortSignal.timeout(3000) });
      await response.body?.cancel();
      return response.status === 200;
    } catch {
      return false;
    }
  }

  exitDescription(): string {
    return this.child.signalCode ? `signal ${this.child.signalCode}` : `code ${this.child.exitCode}`;
  }

  private remember(line: string): void {
    this.recent.push(line);
    if (this.recent.length > 20) this.recent.shift();
  }
}
