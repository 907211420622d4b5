import 'reflect-metadata';
import { writeSync } from 'node:fs';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { DataSource } from 'typeorm';
import { createDataSource } from '@plue/db';

/**
 * What every fault-suite worker program shares: its configuration (one JSON environment variable
 * written by the driver), line-delimited JSON reports on stdout, and a deterministic crash.
 */

export const WORKER_CONFIG_VARIABLE = 'PLUE_FAULT_WORKER';

/** A message a worker writes to the driver, one JSON object per stdout line. */
export type WorkerReport =
  | { type: 'ready' }
  | { type: 'done'; committed: number; rolledBack: number }
  | { type: 'crash'; point: CrashPoint; after: number };

/**
 * Test-only crash points, armed by the driver through the worker's configuration (never read by the
 * library): `after-commit` fires in the consumer's afterCommit hook (the inbox transaction committed,
 * the message is not acked yet), `after-publish` in the relay's afterPublish hook (the broker acked
 * the batch, the rows are not marked published yet).
 */
export type CrashPoint = 'after-commit' | 'after-publish';

export interface CrashPlan {
  point: CrashPoint;
  /** Crash at the n-th time the point is reached in this process (1-based). */
  at: number;
}

/**
 * Reads the configuration and ties this process to the driver: stdin is a pipe from the driver, so
 * EOF means the driver is gone (even SIGKILLed), and an orphaned worker must not keep consuming.
 */
export function readWorkerConfig<Config>(): Config {
  const raw = process.env[WORKER_CONFIG_VARIABLE];
  if (!raw) throw new Error(`${WORKER_CONFIG_VARIABLE} is not set: workers are started by the fault driver`);
  process.stdin.on('end', () => process.kill(process.pid, 'SIGKILL'));
  process.stdin.resume();
  return JSON.parse(raw) as Config;
}

/**
 * Exit code of a worker that could not start (e.g. nats-server was down or paused while it
 * connected and provisioned): its supervisor starts it again, as a service's would.
 */
export const STARTUP_FAILED = 75;

let ready = false;

/** Written with writeSync so a report right before SIGKILL is never lost in a stream buffer. */
export function report(message: WorkerReport): void {
  if (message.type === 'ready') ready = true;
  writeSync(1, `${JSON.stringify(message)}\n`);
}

/** Counts how often a crash point is reached and SIGKILLs this process at the planned time. */
export function crashCounter(plan: CrashPlan | undefined, point: CrashPoint): () => void {
  let reached = 0;
  return () => {
    if (plan?.point !== point) return;
    reached += 1;
    if (reached < plan.at) return;
    report({ type: 'crash', point, after: reached });
    process.kill(process.pid, 'SIGKILL');
  };
}

export async function openDataSource(url: string, poolSize: number, applicationName: string): Promise<DataSource> {
  const dataSource = createDataSource({ url, poolSize, statementTimeoutMs: 30_000, applicationName }, []);
  await dataSource.initialize();
  return dataSource;
}

/** Reconnects forever: the driver kills and pauses the server, and the worker must come back by itself. */
export function connectNats(url: string, name: string): Promise<NatsConnection> {
  return connect({
    servers: url,
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 200,
    waitOnFirstConnect: true,
  });
}

/** SIGTERM from the driver: close cleanly and exit. */
export function onTerminate(close: () => Promise<void>): void {
  process.once('SIGTERM', () => {
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
}

export function fail(error: unknown): never {
  console.error(error);
  process.exit(ready ? 1 : STARTUP_FAILED);
}
