import { Client, Pool, type PoolClient } from 'pg';
import type { Logger } from 'pino';
import { ToolError, toToolError } from './tool-error';

export const APPLICATION_NAME = 'plue-mcp-database';

export interface ReadOnlyOptions {
  /** The client's cancellation of the tool call. */
  signal?: AbortSignal;
  /** DISCARD ALL after the transaction: the session keeps nothing the statement left behind. */
  discard?: boolean;
}

/** The connection and the backend serving one tool call. */
export interface Session {
  client: PoolClient;
  pid: number;
}

/**
 * The server's connections to PostgreSQL. Every tool call runs in its own transaction:
 * BEGIN READ ONLY, server-side statement_timeout and lock_timeout, a snapshot taken before the
 * caller's statement (so `SET TRANSACTION READ WRITE` is refused), then ROLLBACK whatever happened.
 * A cancelled call, or one that outlives its timeout, is cancelled on the server with
 * pg_cancel_backend from a separate connection.
 */
export class Database {
  readonly pool: Pool;

  constructor(
    private readonly url: string,
    poolSize: number,
    readonly statementTimeoutMs: number,
    private readonly logger: Logger,
  ) {
    this.pool = new Pool({
      connectionString: url,
      application_name: APPLICATION_NAME,
      max: poolSize,
      idleTimeoutMillis: 60_000,
      // Waiting this long for a free connection means every one is busy: a `limit` error.
      connectionTimeoutMillis: 10_000,
    });
    // An idle connection that dies (server restart, terminated backend) is dropped, not fatal.
    this.pool.on('error', (error) => this.logger.warn({ err: error.message }, 'idle database connection lost'));
  }

  async withReadOnly<T>(options: ReadOnlyOptions, work: (session: Session) => Promise<T>): Promise<T> {
    const { signal } = options;
    if (signal?.aborted) throw new ToolError('cancelled', 'the call was cancelled before it started');
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw toToolError(error);
    }
    const timeout = this.statementTimeoutMs;
    let reason: 'timeout' | 'cancelled' | undefined;
    let running = false;
    let pid = 0;
    // The connection goes back to the pool only after a cancel in flight has landed: it must never
    // reach the statement of the next call that uses this connection.
    let cancelling: Promise<void> = Promise.resolve();
    const cancel = (why: 'timeout' | 'cancelled') => {
      reason ??= why;
      if (running && pid) cancelling = this.cancelBackend(pid);
    };
    const onAbort = () => cancel('cancelled');
    // statement_timeout stops the statement on the server; this watchdog covers a server that
    // does not answer in time for any other reason.
    const watchdog = setTimeout(() => cancel('timeout'), timeout + 2_000);
    let broken = false;
    try {
      const results = (await client.query(
        `BEGIN READ ONLY; SET LOCAL statement_timeout = ${timeout}; SET LOCAL lock_timeout = ${timeout}; ` +
          `SET LOCAL idle_in_transaction_session_timeout = ${timeout + 10_000}; SELECT pg_backend_pid() AS pid`,
      )) as unknown as { rows: { pid: number }[] }[];
      pid = results[results.length - 1].rows[0].pid;
      running = true;
      signal?.addEventListener('abort', onAbort, { once: true });
      if (signal?.aborted) onAbort();
      return await work({ client, pid });
    } catch (error) {
      throw toToolError(error, reason);
    } finally {
      running = false;
      clearTimeout(watchdog);
      signal?.removeEventListener('abort', onAbort);
      await cancelling;
      try {
        await client.query('ROLLBACK');
        if (options.discard) await client.query('DISCARD ALL');
      } catch {
        broken = true; // a connection that cannot end its transaction is closed, not reused
      }
      client.release(broken);
    }
  }

  /** Cancels the statement running on `pid`, from a connection of its own (the pool may be full). */
  async cancelBackend(pid: number): Promise<void> {
    const canceller = new Client({
      connectionString: this.url,
      application_name: `${APPLICATION_NAME} cancel`,
      connectionTimeoutMillis: 5_000,
    });
    canceller.on('error', () => undefined);
    try {
      await canceller.connect();
      const { rows } = await canceller.query<{ cancelled: boolean }>(
        `SELECT pg_cancel_backend(pid) AS cancelled FROM pg_stat_activity WHERE pid = $1 AND state = 'active'`,
        [pid],
      );
      this.logger.info({ pid, cancelled: rows[0]?.cancelled ?? false }, 'cancel requested');
    } catch (error) {
      this.logger.warn({ pid, err: (error as Error).message }, 'could not cancel the statement');
    } finally {
      await canceller.end().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
