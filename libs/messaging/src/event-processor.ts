import type { LoggerService } from '@nestjs/common';
import type { JsMsg } from '@nats-io/jetstream';
import { EVENT_HEADERS, type ContractRegistry } from '@plue/contracts';
import type { Tx } from '@plue/db';
import type { DataSource } from 'typeorm';
import { errorText } from './error-text';
import { headersToObject, readEnvelope, type EventMetadata } from './event-envelope';
import type { MessagingTables } from './messaging-tables';
import { retryDelay } from './retry-delay';
import type { ConsumerTuning } from './stream-provisioning';

/** Runs one event's handler inside the inbox transaction; what the Nest handler is reduced to. */
export type EventHandlerFn = (payload: unknown, metadata: EventMetadata, tx: Tx, message: JsMsg) => Promise<void>;

export interface DeadLetterReport {
  consumer: string;
  subject: string;
  eventId: string | null;
  streamSequence: number;
  attempts: number;
  error: string;
}

export interface ProcessorHooks {
  /** After the inbox transaction committed, before the acknowledgement. */
  afterCommit?(event: EventMetadata): void | Promise<void>;
  /** After an event was written to the dead letters (it is also logged and counted). */
  onDeadLetter?(report: DeadLetterReport): void | Promise<void>;
}

export type Outcome = 'handled' | 'duplicate' | 'waiting' | 'failed' | 'dead-lettered' | 'skipped';

export interface ProcessorCounters {
  /** Deliveries, redeliveries included. */
  received: number;
  handled: number;
  duplicates: number;
  redeliveries: number;
  failures: number;
  deadLetters: number;
  orderWaits: number;
  skipped: number;
}

/** How long an event polls for its predecessor before it naks (see predecessorApplied). */
const PREDECESSOR_POLL_MS = 250;

/** Signals out of the inbox transaction; each rolls it back. */
class WaitForPredecessor extends Error {}
class StaleEvent extends Error {}
class InvalidPayload extends Error {}

/**
 * Handles the messages of one consumer (the inbox key, = the durable consumer name of a service
 * and subject). Per message:
 *
 * 1. A message without a valid envelope (event id, aggregate, version) is dead-lettered at once:
 *    it can be neither deduplicated nor ordered.
 * 2. One transaction: insert the event id into the inbox (already there: a duplicate, ack and
 *    skip); advance the consumer's position for the aggregate from version − 1 to version (a
 *    later version waits: nak with a short delay so the predecessor goes first; an earlier one
 *    was passed already); check the payload against the contract (invalid: dead letter, no
 *    retry); run the handler with the transaction; commit; then ack.
 * 3. A handler error rolls everything back and is counted in consumer_failures; the event is
 *    retried with backoff and, after `maxAttempts`, dead-lettered. A dead-lettered event counts as
 *    applied for ordering, so one poison event does not block its aggregate forever.
 */
export class EventProcessor {
  readonly counters: ProcessorCounters = {
    received: 0,
    handled: 0,
    duplicates: 0,
    redeliveries: 0,
    failures: 0,
    deadLetters: 0,
    orderWaits: 0,
    skipped: 0,
  };
  private readonly startedAt = Date.now();

  constructor(
    private readonly consumer: string,
    private readonly handler: EventHandlerFn,
    private readonly dataSource: DataSource,
    private readonly tables: MessagingTables,
    private readonly contracts: ContractRegistry,
    private readonly tuning: ConsumerTuning,
    private readonly logger: LoggerService,
    private readonly hooks: ProcessorHooks = {},
  ) {}

  async process(message: JsMsg): Promise<Outcome> {
    this.counters.received += 1;
    const envelope = readEnvelope(message, this.consumer);
    if (!envelope.metadata) {
      await this.deadLetter(message, null, envelope.problem, message.info.deliveryCount);
      return 'dead-lettered';
    }
    const event = envelope.metadata;
    if (event.deliveryCount > 1) {
      this.counters.redeliveries += 1;
      // Only redeliveries pay for this read: a first delivery learns the same inside the transaction.
      let position = await this.position(event);
      if (event.aggregateVersion > position + 1 && (await this.predecessorApplied(event))) {
        position = event.aggregateVersion - 1;
      }
      if (event.aggregateVersion > position + 1) return this.waitForPredecessor(message, event);
      if (event.aggregateVersion === position + 1 && event.deliveryCount > this.tuning.maxDeliveries) {
        // Its turn, yet delivered this often: its handling keeps killing the process (or
        // outlasting the ack wait), so no failure was ever recorded. Stop the loop.
        await this.deadLetter(
          message,
          event,
          `delivered ${event.deliveryCount} times without a result (last recorded error: ${await this.lastFailure(event)})`,
          event.deliveryCount,
        );
        return 'dead-lettered';
      }
    }

    let duplicate: boolean;
    for (let round = 1; ; round += 1) {
      try {
        duplicate = await this.dataSource.transaction((tx) => this.handleInTransaction(tx, message, event));
        break;
      } catch (error) {
        if (error instanceof WaitForPredecessor) {
          if (round === 1 && (await this.predecessorApplied(event))) continue;
          return this.waitForPredecessor(message, event);
        }
        return this.afterRollback(message, event, error);
      }
    }
    // Committed. From here a failure (even the process dying) only means no ack: the redelivery
    // finds the event in the inbox.
    if (duplicate) {
      this.counters.duplicates += 1;
      message.ack();
      return 'duplicate';
    }
    this.counters.handled += 1;
    await this.hooks.afterCommit?.(event);
    message.ack();
    return 'handled';
  }

  /** What follows a rolled-back inbox transaction that was not a predecessor wait. */
  private async afterRollback(message: JsMsg, event: EventMetadata, error: unknown): Promise<Outcome> {
    if (error instanceof InvalidPayload) {
      await this.deadLetter(message, event, error.message, 1);
      return 'dead-lettered';
    }
    if (error instanceof StaleEvent) return this.handleStale(message, event);
    return this.handleFailure(message, event, error);
  }

  /**
   * Waits briefly, in process, for the predecessor: usually another instance is handling it right
   * now, and a nak would cost a redelivery round trip. True when it was applied meanwhile.
   */
  private async predecessorApplied(event: EventMetadata): Promise<boolean> {
    const deadline = Date.now() + PREDECESSOR_POLL_MS;
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      if ((await this.position(event)) >= event.aggregateVersion - 1) return true;
    }
    return false;
  }

  /** The inbox transaction; true when the event was handled before (a duplicate). */
  private async handleInTransaction(tx: Tx, message: JsMsg, event: EventMetadata): Promise<boolean> {
    const inserted: unknown[] = await tx.query(
      `INSERT INTO ${this.tables.inbox} (consumer, event_id, subject, aggregate_type, aggregate_id, aggregate_version)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (consumer, event_id) DO NOTHING
       RETURNING 1`,
      [this.consumer, event.id, event.subject, event.aggregateType, event.aggregateId, event.aggregateVersion],
    );
    if (inserted.length === 0) {
      if (event.deliveryCount > 1) await this.forgetFailures(tx, event);
      return true;
    }
    await this.advancePosition(tx, event);
    const payload = this.parsePayload(message, event);
    await this.handler(payload, event, tx, message);
    if (event.deliveryCount > 1) await this.forgetFailures(tx, event);
    return false;
  }

  /**
   * Moves the position from version − 1 to version, holding the row lock until commit: an
   * instance handling the next version of the aggregate waits for this transaction.
   */
  private async advancePosition(tx: Tx, event: EventMetadata): Promise<void> {
    const key = [this.consumer, event.aggregateType, event.aggregateId, event.aggregateVersion];
    const advanced: unknown[] =
      event.aggregateVersion === 1
        ? await tx.query(
            `INSERT INTO ${this.tables.consumerPositions} AS p (consumer, aggregate_type, aggregate_id, version)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (consumer, aggregate_type, aggregate_id)
               DO UPDATE SET version = EXCLUDED.version, updated_at = now() WHERE p.version = 0
             RETURNING version`,
            key,
          )
        : (
            await tx.query(
              `UPDATE ${this.tables.consumerPositions}
                  SET version = $4, updated_at = now()
                WHERE consumer = $1 AND aggregate_type = $2 AND aggregate_id = $3 AND version = $4 - 1
                RETURNING version`,
              key,
            )
          )[0];
    if (advanced.length > 0) return;
    // Read again: the predecessor may have committed since (then this is worth retrying at once).
    const position = await this.position(event, tx);
    throw position >= event.aggregateVersion ? new StaleEvent() : new WaitForPredecessor();
  }

  private parsePayload(message: JsMsg, event: EventMetadata): unknown {
    let body: unknown;
    try {
      body = message.json();
    } catch {
      throw new InvalidPayload(`${event.subject}: the body is not JSON`);
    }
    if (!this.contracts.has(event.subject)) throw new InvalidPayload(`no contract for ${event.subject}`);
    try {
      return this.contracts.parse(event.subject, body);
    } catch (error) {
      throw new InvalidPayload(error instanceof Error ? error.message : String(error));
    }
  }

  private async position(event: EventMetadata, tx?: Tx): Promise<number> {
    const rows: { version: string }[] = await (tx ?? this.dataSource).query(
      `SELECT version FROM ${this.tables.consumerPositions}
        WHERE consumer = $1 AND aggregate_type = $2 AND aggregate_id = $3`,
      [this.consumer, event.aggregateType, event.aggregateId],
    );
    return rows.length === 0 ? 0 : Number(rows[0].version);
  }

  /**
   * A predecessor has not been applied yet: nak with a short, growing delay. When an event has
   * waited longer than `orderWaitTimeoutMs`, the next missing version is taken as gone (expired
   * from the stream, or published before the consumer existed): it is recorded as a dead letter
   * without a message, the position passes it, and the waiting events go on in order. One version
   * is passed per decision, so an event that is merely slow is not overtaken by its successors.
   */
  private async waitForPredecessor(message: JsMsg, event: EventMetadata): Promise<Outcome> {
    const waitingSince = Math.max(message.time.getTime(), this.startedAt);
    const waitedMs = Date.now() - waitingSince;
    if (waitedMs > this.tuning.orderWaitTimeoutMs) {
      await this.passMissingVersion(event, waitedMs);
      message.nak(0);
      return 'waiting';
    }
    this.counters.orderWaits += 1;
    message.nak(retryDelay(event.deliveryCount, 100, 2000));
    return 'waiting';
  }

  private async passMissingVersion(event: EventMetadata, waitedMs: number): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      const [position] = await tx.query(
        `INSERT INTO ${this.tables.consumerPositions} AS p (consumer, aggregate_type, aggregate_id, version)
         VALUES ($1, $2, $3, 0)
         ON CONFLICT (consumer, aggregate_type, aggregate_id) DO UPDATE SET version = p.version
         RETURNING version`,
        [this.consumer, event.aggregateType, event.aggregateId],
      );
      const missing = Number(position.version) + 1;
      // Another instance passed it (or its event arrived) meanwhile.
      if (missing >= event.aggregateVersion) return;
      const error = `version ${missing} of ${event.aggregateType} ${event.aggregateId} never arrived: passed after version ${event.aggregateVersion} waited ${waitedMs} ms`;
      await tx.query(
        `INSERT INTO ${this.tables.deadLetters} (consumer, subject, headers, error, attempts)
         VALUES ($1, $2, $3::jsonb, $4, 0)`,
        [
          this.consumer,
          event.subject,
          JSON.stringify({
            [EVENT_HEADERS.aggregateType]: event.aggregateType,
            [EVENT_HEADERS.aggregateId]: event.aggregateId,
            [EVENT_HEADERS.aggregateVersion]: String(missing),
          }),
          error,
        ],
      );
      await tx.query(
        `UPDATE ${this.tables.consumerPositions} SET version = $4, updated_at = now()
          WHERE consumer = $1 AND aggregate_type = $2 AND aggregate_id = $3`,
        [this.consumer, event.aggregateType, event.aggregateId, missing],
      );
      this.counters.deadLetters += 1;
      this.logger.error(`${this.consumer}: dead letter: ${error}`);
    });
  }

  /**
   * Not in the inbox, yet its version was passed already: it was either dead-lettered before (a
   * redelivery of a dead letter: skip it) or given up for missing after a predecessor wait timed
   * out (keep it as a dead letter rather than apply it out of order).
   */
  private async handleStale(message: JsMsg, event: EventMetadata): Promise<Outcome> {
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM ${this.tables.deadLetters} WHERE event_id = $1 AND consumer = $2 LIMIT 1`,
      [event.id, this.consumer],
    );
    if (rows.length > 0) {
      this.counters.skipped += 1;
      message.term();
      return 'skipped';
    }
    await this.deadLetter(
      message,
      event,
      `version ${event.aggregateVersion} of ${event.aggregateType} ${event.aggregateId} arrived after the consumer had passed it`,
      0,
    );
    return 'dead-lettered';
  }

  private async handleFailure(message: JsMsg, event: EventMetadata, error: unknown): Promise<Outcome> {
    this.counters.failures += 1;
    const text = errorText(error);
    let attempts: number;
    try {
      attempts = await this.recordFailure(event, text);
    } catch (recordError) {
      // The database itself is failing: retry later without counting.
      this.logger.warn(
        `${this.consumer}: ${event.id} failed (${text}); recording it failed too: ${errorText(recordError)}`,
      );
      message.nak(this.backoffMs(event.deliveryCount));
      return 'failed';
    }
    if (attempts >= this.tuning.maxAttempts) {
      await this.deadLetter(message, event, `gave up after ${attempts} attempts: ${text}`, attempts);
      return 'dead-lettered';
    }
    this.logger.warn(`${this.consumer}: ${event.subject} ${event.id} attempt ${attempts} failed: ${text}`);
    message.nak(this.backoffMs(attempts));
    return 'failed';
  }

  private backoffMs(attempt: number): number {
    const { backoffMs } = this.tuning;
    return backoffMs[Math.min(attempt, backoffMs.length) - 1] ?? 1000;
  }

  private async lastFailure(event: EventMetadata): Promise<string> {
    const rows: { last_error: string }[] = await this.dataSource.query(
      `SELECT last_error FROM ${this.tables.consumerFailures} WHERE consumer = $1 AND event_id = $2`,
      [this.consumer, event.id],
    );
    return rows[0]?.last_error ?? 'none';
  }

  /** Records a failed attempt; returns the number of attempts so far. */
  private async recordFailure(event: EventMetadata, error: string): Promise<number> {
    const rows: { attempts: number }[] = await this.dataSource.query(
      `INSERT INTO ${this.tables.consumerFailures} AS f (consumer, event_id, attempts, last_error)
       VALUES ($1, $2, 1, $3)
       ON CONFLICT (consumer, event_id) DO UPDATE
         SET attempts = f.attempts + 1, last_error = EXCLUDED.last_error, last_failed_at = now()
       RETURNING attempts`,
      [this.consumer, event.id, error],
    );
    return rows[0].attempts;
  }

  private async forgetFailures(tx: Tx, event: EventMetadata): Promise<void> {
    await tx.query(`DELETE FROM ${this.tables.consumerFailures} WHERE consumer = $1 AND event_id = $2`, [
      this.consumer,
      event.id,
    ]);
  }

  /**
   * Writes the dead letter, passes its version for ordering, forgets its failures, then
   * terminates the message (JetStream will not deliver it again) and reports it.
   */
  private async deadLetter(
    message: JsMsg,
    event: EventMetadata | null,
    error: string,
    attempts: number,
  ): Promise<void> {
    let payload: unknown;
    try {
      payload = message.json();
    } catch {
      payload = message.string();
    }
    await this.dataSource.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO ${this.tables.deadLetters}
           (consumer, event_id, subject, payload, headers, error, attempts, stream_sequence)
         VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6, $7, $8)`,
        [
          this.consumer,
          event?.id ?? null,
          message.subject,
          JSON.stringify(payload),
          JSON.stringify(headersToObject(message.headers)),
          error,
          attempts,
          message.seq,
        ],
      );
      if (!event) return;
      await tx.query(
        `INSERT INTO ${this.tables.consumerPositions} AS p (consumer, aggregate_type, aggregate_id, version)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (consumer, aggregate_type, aggregate_id)
           DO UPDATE SET version = greatest(p.version, EXCLUDED.version), updated_at = now()`,
        [this.consumer, event.aggregateType, event.aggregateId, event.aggregateVersion],
      );
      await this.forgetFailures(tx, event);
    });
    // No reason text: nats-server 2.9 takes `+TERM <reason>` for an unknown acknowledgement.
    message.term();
    this.counters.deadLetters += 1;
    const report: DeadLetterReport = {
      consumer: this.consumer,
      subject: message.subject,
      eventId: event?.id ?? null,
      streamSequence: message.seq,
      attempts,
      error,
    };
    this.logger.error(
      `${this.consumer}: dead letter: ${message.subject} ${report.eventId ?? '(no event id)'} (stream sequence ${message.seq}): ${error}`,
    );
    await this.hooks.onDeadLetter?.(report);
  }
}
