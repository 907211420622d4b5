import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Options of {@link startNatsServer}. Every field is optional. */
export interface NatsServerOptions {
  /** Enable JetStream (default true). */
  jetstream?: boolean;
  /** Client port; by default the server picks a free one and keeps it across restarts. */
  port?: number;
  /** JetStream store directory; by default a fresh temporary folder that stop() removes. */
  storeDir?: string;
  /** Extra command-line arguments for nats-server. */
  args?: string[];
  /** How long to wait for the server to accept connections (default 15 s). */
  readyTimeoutMs?: number;
}

/** A nats-server this process started. Every method waits until the change has happened. */
export interface NatsServer {
  /** `nats://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  readonly storeDir: string;
  /** Process id of the running server (changes on restart; undefined while it is down). */
  readonly pid: number | undefined;
  /** True while a server process is running (also while it is paused). */
  readonly running: boolean;
  /** The last lines the server logged, for error messages. */
  output(): string;
  /** Graceful shutdown (SIGTERM, then SIGKILL after 10 s); removes a temporary store dir. Idempotent. */
  stop(): Promise<void>;
  /** Sends a terminating signal (default SIGKILL) and waits for the process to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the server again on the same port and store dir (stopping it first if it runs), so JetStream state survives. */
  restart(): Promise<void>;
  /** SIGSTOP: the process freezes; connections stay open but nothing is answered. */
  pause(): void;
  /** SIGCONT after pause(). */
  resume(): void;
}

const LOG_LINES = 200;
const STOP_GRACE_MS = 10_000;

/**
 * Starts a nats-server of its own on 127.0.0.1 (JetStream on, temporary store dir) and resolves once
 * it accepts client connections with JetStream enabled. Tests must never share a server they did not
 * start: ports, streams and consumers of parallel runs would collide.
 *
 * No orphans: an exit handler kills every server still running when this process exits, and a small
 * watchdog shell (its stdin is a pipe from this process, so it sees EOF even when this process is
 * SIGKILLed) kills the server and removes its temporary store dir.
 */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServer> {
  const binary = findNatsServerBinary();
  const temporaryStore = options.storeDir === undefined;
  const storeDir = options.storeDir ?? mkdtempSync(path.join(tmpdir(), 'plue-nats-'));
  const server = new LocalNatsServer(binary, options, storeDir, temporaryStore);
  try {
    await server.start();
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

/** nats-server from NATS_SERVER_BIN, PATH, or the Debian package's /usr/sbin (often not in a user's PATH). */
export function findNatsServerBinary(): string {
  const explicit = process.env.NATS_SERVER_BIN;
  if (explicit) {
    if (isExecutable(explicit)) return explicit;
    throw notInstalled(`NATS_SERVER_BIN=${explicit} is not an executable file`);
  }
  const directories = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/local/bin'];
  for (const directory of directories) {
    const candidate = path.join(directory || '.', 'nats-server');
    if (isExecutable(candidate)) return candidate;
  }
  throw notInstalled('nats-server is not installed (looked in PATH, /usr/sbin and /usr/local/bin)');
}

function notInstalled(reason: string): Error {
  return new Error(
    `${reason}. The tests start their own nats-server: on Debian/Ubuntu \`apt-get install nats-server\` ` +
      '(2.9 or newer, JetStream included), or download a release from ' +
      'https://github.com/nats-io/nats-server/releases and set NATS_SERVER_BIN to the binary.',
  );
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const live = new Set<LocalNatsServer>();
let exitHandlerInstalled = false;

function installExitHandler(): void {
  if (exitHandlerInstalled) return;
  exitHandlerInstalled = true;
  // 'exit' handlers must be synchronous: kill and remove what is left, without waiting.
  process.on('exit', () => {
    for (const server of live) server.killNow();
  });
}

class LocalNatsServer implements NatsServer {
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  private watchdog: ChildProcess | undefined;
  private paused = false;
  private stopped = false;
  private assignedPort: number | undefined;
  private readonly log: string[] = [];

  constructor(
    private readonly binary: string,
    private readonly options: NatsServerOptions,
    readonly storeDir: string,
    private readonly temporaryStore: boolean,
  ) {
    this.assignedPort = options.port;
  }

  get port(): number {
    if (this.assignedPort === undefined) throw new Error('nats-server has not started yet');
    return this.assignedPort;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  output(): string {
    return this.log.join('\n');
  }

  async start(): Promise<void> {
    if (this.stopped) throw new Error('this nats-server was stopped for good; start a new one');
    installExitHandler();
    live.add(this);
    const args = ['-a', '127.0.0.1', '-p', String(this.assignedPort ?? -1)];
    if (this.options.jetstream !== false) args.push('-js', '-sd', this.storeDir);
    args.push(...(this.options.args ?? []));

    const child = spawn(this.binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.paused = false;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    this.guard(child);
    // A forgotten server must not keep Node alive: the exit handler and the watchdog kill it.
    child.unref();
    const listening = this.watchLog(child);
    const spawnFailed = new Promise<never>((_, reject) => child.once('error', reject));
    const died = this.exited.then(() => {
      throw new Error(`nats-server exited during startup (code ${child.exitCode}, signal ${child.signalCode})`);
    });
    const timeoutMs = this.options.readyTimeoutMs ?? 15_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`nats-server did not become ready within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      this.assignedPort = await Promise.race([listening, spawnFailed, died, timedOut]);
      await Promise.race([this.probe(), spawnFailed, died, timedOut]);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- nats-server output ---\n${this.output()}`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.running) {
      const escalate = setTimeout(() => this.signal('SIGKILL'), STOP_GRACE_MS);
      try {
        await this.kill('SIGTERM');
      } finally {
        clearTimeout(escalate);
      }
    }
    this.releaseWatchdog();
    if (this.temporaryStore) rmSync(this.storeDir, { recursive: true, force: true });
    live.delete(this);
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.running) return;
    this.signal(signal);
    // A stopped process only acts on SIGKILL; any other signal waits for SIGCONT.
    if (this.paused && signal !== 'SIGKILL') this.signal('SIGCONT');
    this.paused = false;
    await this.exited;
  }

  async restart(): Promise<void> {
    if (this.running) await this.kill('SIGTERM');
    await this.start();
  }

  pause(): void {
    if (!this.running) throw new Error('nats-server is not running');
    this.signal('SIGSTOP');
    this.paused = true;
  }

  resume(): void {
    if (!this.running) throw new Error('nats-server is not running');
    this.signal('SIGCONT');
    this.paused = false;
  }

  /** Synchronous last-resort cleanup for the process exit handler. */
  killNow(): void {
    if (this.running) this.signal('SIGKILL');
    if (this.temporaryStore) rmSync(this.storeDir, { recursive: true, force: true });
  }

  private signal(signal: NodeJS.Signals): void {
    try {
      this.child?.kill(signal);
    } catch {
      // The process is already gone.
    }
  }

  /**
   * The watchdog is told the pid of the current server process and, when its stdin closes (stop(),
   * or this process dying in any way), SIGKILLs it if it still runs and removes a temporary store
   * dir. It ignores SIGINT/SIGTERM so a Ctrl-C to the process group still leaves it to clean up.
   */
  private guard(child: ChildProcess): void {
    if (!this.watchdog) {
      const script =
        'trap "" INT TERM HUP; current=none; while read -r pid; do current=$pid; done; ' +
        '[ "$current" = none ] || kill -KILL "$current" 2>/dev/null; [ "$1" = yes ] && rm -rf "$2"';
      const watchdog = spawn(
        '/bin/sh',
        ['-c', script, 'nats-watchdog', this.temporaryStore ? 'yes' : 'no', this.storeDir],
        {
          stdio: ['pipe', 'ignore', 'ignore'],
        },
      );
      watchdog.unref();
      (watchdog.stdin as unknown as Socket).unref();
      watchdog.stdin?.on('error', () => undefined);
      this.watchdog = watchdog;
    }
    if (child.pid === undefined) return;
    const watchdog = this.watchdog;
    watchdog.stdin?.write(`${child.pid}\n`);
    // Forget the pid once the process is gone, so a later reuse of the number is never killed.
    child.once('exit', () => {
      if (watchdog.stdin?.writable) watchdog.stdin.write('none\n');
    });
  }

  private releaseWatchdog(): void {
    this.watchdog?.stdin?.end();
    this.watchdog = undefined;
  }

  /** Resolves with the client port once the server logs it is listening. */
  private watchLog(child: ChildProcess): Promise<number> {
    return new Promise((resolve) => {
      let port: number | undefined;
      let pending = '';
      const onData = (chunk: Buffer): void => {
        pending += chunk.toString('utf8');
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) {
          this.log.push(line);
          if (this.log.length > LOG_LINES) this.log.shift();
          const listening = /Listening for client connections on [^\s]+:(\d+)/.exec(line);
          if (listening) port = Number(listening[1]);
          if (port !== undefined && line.includes('Server is ready')) resolve(port);
        }
      };
      for (const stream of [child.stdout, child.stderr]) {
        stream?.on('data', onData);
        (stream as unknown as Socket | null)?.unref();
      }
    });
  }

  /** Reads the server's INFO greeting: it proves the port answers and whether JetStream is on. */
  private probe(): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: this.port });
      let greeting = '';
      socket.on('data', (chunk) => {
        greeting += chunk.toString('utf8');
        const end = greeting.indexOf('\r\n');
        if (end < 0) return;
        socket.destroy();
        const info = JSON.parse(greeting.slice(0, end).replace(/^INFO\s+/, '')) as { jetstream?: boolean };
        if (this.options.jetstream !== false && info.jetstream !== true) {
          reject(new Error('nats-server answered without JetStream enabled'));
        } else {
          resolve();
        }
      });
      socket.on('error', reject);
    });
  }
}
