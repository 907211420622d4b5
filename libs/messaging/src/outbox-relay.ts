import { Logger, type LoggerService } from '@nestjs/common';
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { STREAMS, type StreamDefinition } from '@plue/contracts';
import type { DataSource } from 'typeorm';
import { dedicatedClientConfig } from './dedicated-connection';
import { errorText } from './error-text';
import { outboxRowHeaders } from './event-envelope';
import { LeaderLock } from './leader-lock';
import { messagingTables, type MessagingTables } from './messaging-tables';
import { retryDelay } from './retry-delay';
import { provisionStreams } from './stream-provisioning';
import { WakeSignal } from './wake-signal';

export interface RelayRetryOptions {
  /** First delay after a failed round; doubles per consecutive failure up to `maxMs`. */
  initialMs: number;
  maxMs: number;
}

export interface RelayHooks {
  /**
   * After the broker acknowledged these rows and before they are marked published. The fault
   * suite kills the relay here to prove that republishing is harmless.
   */
  afterPublish?(ids: readonly string[]): void | Promise<void>;
}

export interface OutboxRelayOptions {
  /** The service's messaging schema (`git`…): its outbox, its NOTIFY channel, its leader lock. */
  schema: string;
  /** The service's initialized DataSource; its pool runs the reads and updates. */
  dataSource: DataSource;
  /** The caller's NATS connection (the relay does not close it). */
  connection: NatsConnection;
  /** Streams provisioned when the relay becomes leader (default: `STREAMS`). */
  streams?: readonly StreamDefinition[];
  batchSize?: number;
  /** The safety poll besides LISTEN/NOTIFY (a lost notification costs at most this long). */
  pollIntervalMs?: number;
  /** How often a standby tries to take the lock. */
  leaderPollMs?: number;
  publishTimeoutMs?: number;
  retry?: Partial<RelayRetryOptions>;
  hooks?: RelayHooks;
  logger?: LoggerService;
}

export interface RelayMetrics {
  schema: string;
  leader: boolean;
  /** Rows published by this instance (duplicates included). */
  published: number;
  /** Publishes the broker reported as duplicates (already stored: counted as success). */
  duplicates: number;
  publishFailures: number;
  consecutiveFailures: number;
  lastError: string | null;
  /** Unpublished rows in the outbox, whichever instance leads. */
  pending: number;
  oldestPendingAgeMs: number | null;
}

interface OutboxRow {
  id: string;
  subject: string;
  payload: string;
  headers: Record<string, string>;
  aggregate_type: string;
  aggregate_id: string;
}

const encoder = new TextEncoder();

/**
 * Publishes a service's outbox to JetStream. One instance per schema leads (advisory lock); it
 * wakes on NOTIFY and on a short poll, reads unpublished rows in creation order (never by an id
 * cursor: a row that commits late would be skipped), publishes them in order per aggregate with
 * `Nats-Msg-Id` = row id, and marks them published only after the broker acknowledged them.
 */
export class OutboxRelay {
  private readonly tables: MessagingTables;
  private readonly js: JetStreamClient;
  private readonly lock: LeaderLock;
  /** Woken by NOTIFY (and stop): ends the idle wait between rounds. */
  private readonly wakeSignal = new WakeSignal();
  /** Woken by stop only: a backoff must not be cut short by notifications while NATS is down. */
  private readonly stopSignal = new WakeSignal();
  private readonly logger: LoggerService;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly leaderPollMs: number;
  private readonly publishTimeoutMs: number;
  private readonly retry: RelayRetryOptions;
  private running = false;
  private loop: Promise<void> | null = null;
  private readonly counters = { published: 0, duplicates: 0, publishFailures: 0, consecutiveFailures: 0 };
  private lastError: string | null = null;

  constructor(private readonly options: OutboxRelayOptions) {
    this.tables = messagingTables(options.schema);
    this.js = jetstream(options.connection);
    this.logger = options.logger ?? new Logger(`OutboxRelay(${options.schema})`);
    this.batchSize = options.batchSize ?? 200;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.leaderPollMs = options.leaderPollMs ?? 1000;
    this.publishTimeoutMs = options.publishTimeoutMs ?? 5000;
    this.retry = { initialMs: 200, maxMs: 10_000, ...options.retry };
    this.lock = new LeaderLock(
      dedicatedClientConfig(options.dataSource, `outbox relay ${options.schema}`),
      `plue.outbox_relay.${options.schema}`,
      this.tables.outboxChannel,
      () => this.wakeSignal.wake(),
    );
  }

  get isLeader(): boolean {
    return this.running && this.lock.isHeld;
  }

  /** Starts competing for leadership and, once leader, publishing. Returns at once. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops after the round in progress and releases the lock (a standby takes over). */
  async stop(): Promise<void> {
    this.running = false;
    this.wakeSignal.wake();
    this.stopSignal.wake();
    await this.loop;
    this.loop = null;
    await this.lock.release();
  }

  async metrics(): Promise<RelayMetrics> {
    const rows: { pending: number; age_ms: number | null }[] = await this.options.dataSource.query(
      `SELECT count(*)::int AS pending,
              (extract(epoch FROM clock_timestamp() - min(created_at)) * 1000)::float8 AS age_ms
         FROM ${this.tables.outbox} WHERE published_at IS NULL`,
    );
    return {
      schema: this.options.schema,
      leader: this.isLeader,
      ...this.counters,
      lastError: this.lastError,
      pending: rows[0].pending,
      oldestPendingAgeMs: rows[0].age_ms === null ? null : Math.round(rows[0].age_ms),
    };
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        if (await this.lock.tryAcquire()) {
          this.logger.log(`leading the ${this.options.schema} outbox relay`);
          await this.lead();
          if (this.running) this.logger.warn('lost the relay lock: standing by');
          continue;
        }
      } catch (error) {
        this.recordFailure(error);
      }
      await this.wakeSignal.sleep(this.leaderPollMs);
    }
  }

  /** Publishes until stopped or until the lock's session is gone. */
  private async lead(): Promise<void> {
    let provisioned = false;
    while (this.running && this.lock.isHeld) {
      try {
        if (!provisioned) {
          await provisionStreams(await jetstreamManager(this.options.connection), {
            streams: this.options.streams ?? STREAMS,
          });
          provisioned = true;
        }
        const { rows, failed, streamMissing } = await this.publishBatch();
        if (failed) {
          // No stream took the subject (a server that lost its store): provision again first.
          if (streamMissing) provisioned = false;
          await this.backoff();
        } else {
          this.counters.consecutiveFailures = 0;
          // Sleep only once a batch finds nothing: producers skip NOTIFY while unpublished rows
          // are visible (db/migrations/0004), counting on the relay to come back for them.
          if (rows === 0) await this.wakeSignal.sleep(this.pollIntervalMs);
        }
      } catch (error) {
        this.recordFailure(error);
        await this.backoff();
      }
    }
  }

  private async publishBatch(): Promise<{ rows: number; failed: boolean; streamMissing: boolean }> {
    const db = this.options.dataSource;
    const rows: OutboxRow[] = await db.query(
      `SELECT id, subject, payload::text AS payload, headers, aggregate_type, aggregate_id
         FROM ${this.tables.outbox}
        WHERE published_at IS NULL
        ORDER BY created_at, id
        LIMIT $1`,
      [this.batchSize],
    );
    if (rows.length === 0) return { rows: 0, failed: false, streamMissing: false };

    // Aggregates publish in parallel; the rows of one aggregate one after the other, each after
    // the previous one's acknowledgement. A failure stops its aggregate for this round, so no row
    // overtakes an earlier one of the same aggregate.
    const byAggregate = new Map<string, OutboxRow[]>();
    for (const row of rows) {
      const key = `${row.aggregate_type}\u0000${row.aggregate_id}`;
      const group = byAggregate.get(key);
      if (group) group.push(row);
      else byAggregate.set(key, [row]);
    }
    const published: string[] = [];
    const failures: { id: string; error: string }[] = [];
    let streamMissing = false;
    await Promise.all(
      [...byAggregate.values()].map(async (group) => {
        for (const row of group) {
          try {
            const ack = await this.js.publish(row.subject, encoder.encode(row.payload), {
              msgID: row.id,
              headers: outboxRowHeaders(row.id, row.headers),
              timeout: this.publishTimeoutMs,
            });
            if (ack.duplicate) this.counters.duplicates += 1;
            published.push(row.id);
          } catch (error) {
            failures.push({ id: row.id, error: errorText(error) });
            // A publish nobody answers (no stream listens on the subject) reads as "JetStream not enabled".
            if (/jetstream is not enabled|no responders/i.test(errorText(error))) streamMissing = true;
            return;
          }
        }
      }),
    );

    if (published.length > 0) {
      await this.options.hooks?.afterPublish?.(published);
      await db.query(
        `UPDATE ${this.tables.outbox}
            SET published_at = clock_timestamp(), publish_attempts = publish_attempts + 1, last_error = NULL
          WHERE id = ANY($1::uuid[])`,
        [published],
      );
      this.counters.published += published.length;
    }
    if (failures.length > 0) {
      this.counters.publishFailures += failures.length;
      this.recordFailure(failures[0].error, `${failures.length} of ${rows.length} rows not published`);
      await db.query(
        `UPDATE ${this.tables.outbox} AS o
            SET publish_attempts = o.publish_attempts + 1, last_error = f.error
           FROM unnest($1::uuid[], $2::text[]) AS f(id, error)
          WHERE o.id = f.id`,
        [failures.map((failure) => failure.id), failures.map((failure) => failure.error)],
      );
    }
    return { rows: rows.length, failed: failures.length > 0, streamMissing };
  }

  private recordFailure(error: unknown, context?: string): void {
    this.counters.consecutiveFailures += 1;
    this.lastError = typeof error === 'string' ? error : errorText(error);
    // Log the first failure of a run and then every tenth: NATS down for a minute is one story.
    if (this.counters.consecutiveFailures % 10 === 1) {
      this.logger.warn(`${context ? `${context}: ` : ''}${this.lastError} (retrying with backoff)`);
    }
  }

  private backoff(): Promise<void> {
    return this.stopSignal.sleep(retryDelay(this.counters.consecutiveFailures, this.retry.initialMs, this.retry.maxMs));
  }
}
