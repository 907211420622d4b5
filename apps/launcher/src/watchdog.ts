import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';

/**
 * Stops the launcher's children when the launcher dies without stopping them (SIGKILL, a crash).
 *
 * A small shell in its own process group reads the pids the launcher registers on its stdin. The
 * pipe closes however the launcher ends; on end of input without a final `exit` line, the shell
 * stops the registered processes in reverse order (services before NATS before the database):
 * SIGTERM, up to `graceSeconds` to exit, then SIGKILL. It ignores SIGINT, SIGTERM and SIGHUP, so a
 * Ctrl-C or a closed terminal does not take it down before it has done its job.
 */
export class Watchdog {
  private constructor(private readonly shell: ChildProcess) {}

  static start(graceSeconds: number): Watchdog {
    const script =
      'trap "" INT TERM HUP; pids=""; ' +
      'while read -r line; do [ "$line" = exit ] && exit 0; pids="$line $pids"; done; ' +
      'for pid in $pids; do kill -TERM "$pid" 2>/dev/null || continue; waited=0; ' +
      'while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt "$1" ]; do sleep 1; waited=$((waited + 1)); done; ' +
      'kill -KILL "$pid" 2>/dev/null; done';
    const shell = spawn('/bin/sh', ['-c', script, 'plue-watchdog', String(graceSeconds)], {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    // The launcher's own exit must not wait for the watchdog.
    shell.unref();
    (shell.stdin as unknown as Socket).unref();
    shell.stdin!.on('error', () => undefined);
    return new Watchdog(shell);
  }

  get pid(): number | undefined {
    return this.shell.pid;
  }

  /** Registers a child to stop if the launcher dies; register in start order. */
  watch(pid: number | undefined): void {
    if (pid !== undefined && this.shell.stdin!.writable) this.shell.stdin!.write(`${pid}\n`);
  }

  /** Every child has been stopped by the launcher itself: the watchdog exits without acting. */
  async release(): Promise<void> {
    if (this.shell.exitCode !== null || this.shell.signalCode !== null) return;
    const exited = new Promise((resolve) => this.shell.once('exit', resolve));
    // Waited for, so that the launcher reaps it and leaves nothing behind.
    this.shell.ref();
    this.shell.stdin!.end('exit\n');
    await exited;
  }
}
