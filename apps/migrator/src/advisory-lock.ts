import type { Client } from 'pg';
import { connect } from './connection';
import { ExitCode, MigratorError } from './exit-codes';
import { formatDuration, type Log } from './log';

/** The one advisory lock every runner takes on a database: 'plue' and 'migr' as two 32-bit halves. */
const lockClassId = 0x706c7565;
const lockObjectId = 0x6d696772;
export const migrationLockKey = ((BigInt(lockClassId) << 32n) | BigInt(lockObjectId)).toString();

export interface LockOptions {
  /** Give up (exit code 6) after this long. */
  waitMs: number;
  log: Log;
  pollMs?: number;
  /** How often to say who holds the lock while waiting. */
  reportEveryMs?: number;
}

export interface MigrationLock {
  release(): Promise<void>;
}

interface LockHolder {
  pid: number;
  applicationName: string;
  user: string;
  client: string | null;
  connectedAt: Date;
  /** pg_stat_activity.state: 'idle' for a runner's lock session, which does its work on another session. */
  state: string;
  stateSince: Date | null;
}

/**
 * Takes the migration lock on a session of its own by polling pg_try_advisory_lock. The blocking
 * pg_advisory_lock would keep the waiter inside a statement, and CREATE INDEX CONCURRENTLY run by the
 * holder waits for that statement: PostgreSQL reports the pair as a deadlock.
 */
export async function acquireMigrationLock(url: URL, options: LockOptions): Promise<MigrationLock> {
  const pollMs = options.pollMs ?? 300;
  const reportEveryMs = options.reportEveryMs ?? 5000;
  const session = await connect(url);
  try {
    // A server-wide idle_session_timeout would end this idle session, and the lock with it, mid-run.
    await session.query("SELECT set_config('idle_session_timeout', '0', false)");
    const started = Date.now();
    let reportedAt = -Infinity;
    while (!(await tryLock(session))) {
      const waited = Date.now() - started;
      const holder = await lockHolder(session);
      if (waited >= options.waitMs) {
        throw new MigratorError(
          `could not get the migration lock within ${formatDuration(options.waitMs)}; ${holder ? `held by ${describeHolder(holder)}` : 'its holder just left'}`,
          ExitCode.lockTimeout,
        );
      }
      if (holder && Date.now() - reportedAt >= reportEveryMs) {
        options.log(
          `waiting for the migration lock, held by ${describeHolder(holder)} (waited ${formatDuration(waited)})`,
        );
        reportedAt = Date.now();
      }
      await sleep(Math.min(pollMs * (1 + Math.random() / 2), Math.max(0, options.waitMs - waited)));
    }
  } catch (error) {
    await session.end().catch(() => undefined);
    throw error;
  }
  return {
    release: async () => {
      try {
        await session.query('SELECT pg_advisory_unlock($1::bigint)', [migrationLockKey]);
      } finally {
        // Ending the session releases the lock even if the unlock above failed.
        await session.end().catch(() => undefined);
      }
    },
  };
}

async function tryLock(session: Client): Promise<boolean> {
  const { rows } = await session.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [
    migrationLockKey,
  ]);
  return rows[0].locked;
}

/** The session holding the migration lock on this database, if any. */
async function lockHolder(session: Client): Promise<LockHolder | null> {
  const { rows } = await session.query<LockHolder>(
    `SELECT a.pid, coalesce(a.application_name, '') AS "applicationName", coalesce(a.usename::text, '') AS "user",
            host(a.client_addr) AS client, a.backend_start AS "connectedAt",
            coalesce(a.state, 'unknown') AS state, a.state_change AS "stateSince"
     FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
     WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
       AND l.classid = $1 AND l.objid = $2 AND l.objsubid = 1
     LIMIT 1`,
    [lockClassId, lockObjectId],
  );
  return rows[0] ?? null;
}

function describeHolder(holder: LockHolder): string {
  const name = holder.applicationName || 'no application name';
  const from = holder.client ? ` from ${holder.client}` : '';
  const state = holder.stateSince ? `, ${holder.state} since ${holder.stateSince.toISOString()}` : '';
  return `pid ${holder.pid} (${name}, user ${holder.user}${from}), connected at ${holder.connectedAt.toISOString()}${state}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
