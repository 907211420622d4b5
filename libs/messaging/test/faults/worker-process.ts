import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { STARTUP_FAILED, WORKER_CONFIG_VARIABLE, type WorkerReport } from './worker-runtime';

const REPOSITORY_ROOT = path.resolve(__dirname, '../../../..');
const REGISTER = path.join(__dirname, 'register.js');
const STDERR_LINES = 60;

/** The Node arguments that run a TypeScript worker program (or the fault CLI) from source. */
export function typescriptProgramArgs(program: string): string[] {
  return ['--conditions=@plue/source', '--enable-source-maps', '-r', REGISTER, path.join(__dirname, program)];
}

/** One run of a worker program: a real process the driver can SIGKILL. */
export class WorkerProcess {
  readonly reports: WorkerReport[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;
  private readonly stderr: string[] = [];
  private readonly listeners: ((report: WorkerReport) => void)[] = [];
  private killed = false;

  constructor(
    readonly name: string,
    program: string,
    config: object,
  ) {
    this.child = spawn(process.execPath, typescriptProgramArgs(program), {
      cwd: REPOSITORY_ROOT,
      env: { ...process.env, [WORKER_CONFIG_VARIABLE]: JSON.stringify(config) },
      // stdin stays open for the worker's lifetime: its EOF tells the worker the driver is gone.
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
    this.child.stdin?.on('error', () => undefined);
    let pending = '';
    this.child.stdout?.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.startsWith('{')) continue;
        const message = JSON.parse(line) as WorkerReport;
        this.reports.push(message);
        for (const listener of this.listeners) listener(message);
      }
    });
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      this.stderr.splice(0, Math.max(0, this.stderr.length - STDERR_LINES));
    });
  }

  /** Running and not yet sent SIGKILL. */
  get running(): boolean {
    return !this.killed && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last lines the worker wrote to stderr. */
  errorOutput(): string {
    return this.stderr.join('\n');
  }

  /** Resolves with the first report of `type`; rejects if the process exits first. */
  waitFor<Type extends WorkerReport['type']>(type: Type): Promise<Extract<WorkerReport, { type: Type }>> {
    const found = this.reports.find((message) => message.type === type);
    if (found) return Promise.resolve(found as Extract<WorkerReport, { type: Type }>);
    return new Promise((resolve, reject) => {
      this.listeners.push((message) => {
        if (message.type === type) resolve(message as Extract<WorkerReport, { type: Type }>);
      });
      this.exited.then(({ code, signal }) =>
        reject(
          new Error(`${this.name} exited (code ${code}, signal ${signal}) before "${type}":\n${this.errorOutput()}`),
        ),
      );
    });
  }

  /** SIGKILL; false when the process was not running (any more). */
  kill(): boolean {
    if (!this.running) return false;
    this.killed = true;
    return this.child.kill('SIGKILL');
  }

  /** SIGTERM (a clean shutdown), SIGKILL if it takes longer than `graceMs`. */
  async terminate(graceMs = 5_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    if (!this.killed) this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/**
 * A worker role that must stay up (a consumer or relay instance): when its process dies it is
 * started again after `restartDelayMs`, with the configuration of the next incarnation.
 */
export class SupervisedWorker {
  current: WorkerProcess | undefined;
  private readonly processes: WorkerProcess[] = [];
  /** Exits that were neither a SIGKILL, a failed start nor a requested shutdown: worker failures. */
  readonly failures: string[] = [];
  /** Incarnations that could not start (NATS down or paused at the time) and were started again. */
  readonly failedStarts: string[] = [];
  private stopping = false;

  constructor(
    readonly name: string,
    private readonly program: string,
    private readonly configFor: (incarnation: number) => object,
    private readonly restartDelayMs: () => number,
  ) {}

  /** Starts the first incarnation and resolves when it is ready. */
  async start(): Promise<void> {
    await this.launch().waitFor('ready');
  }

  /** What every incarnation reported. */
  get reports(): WorkerReport[] {
    return this.processes.flatMap((worker) => worker.reports);
  }

  /** SIGKILLs the current incarnation; its name, or undefined when none is running. */
  kill(): string | undefined {
    return this.current?.kill() ? this.current.name : undefined;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.current?.terminate();
  }

  private launch(): WorkerProcess {
    const incarnation = this.processes.length;
    const worker = new WorkerProcess(`${this.name}#${incarnation}`, this.program, this.configFor(incarnation));
    this.processes.push(worker);
    this.current = worker;
    worker.exited.then(({ code, signal }) => {
      if (this.stopping) return;
      const exit = `${worker.name} exited (code ${code}, signal ${signal}):\n${worker.errorOutput()}`;
      if (code === STARTUP_FAILED) this.failedStarts.push(exit);
      else if (signal !== 'SIGKILL') this.failures.push(exit);
      setTimeout(() => {
        if (!this.stopping) this.launch();
      }, this.restartDelayMs());
    });
    return worker;
  }
}
