import { randomUUID } from 'node:crypto';
import {
  EVENT_HEADERS,
  EVENT_REGISTRY,
  type AnyEventContract,
  type ContractRegistry,
  type PayloadOf,
  type PlueEventContract,
} from '@plue/contracts';
import type { Tx } from '@plue/db';
import { messagingTables, type MessagingTables } from './messaging-tables';

export interface OutboxWriterOptions<Contract extends AnyEventContract> {
  /** The service's messaging schema: `auth`, `git`, `collaboration` or `agent`. */
  schema: string;
  /** The events this writer may emit (default: every Plue event). */
  contracts?: ContractRegistry<Contract>;
}

export interface EmitOptions {
  /** W3C trace context of the request that caused the event. */
  traceparent?: string;
  /** When the change happened (default: now). */
  occurredAt?: Date;
}

export interface EmittedEvent {
  id: string;
  subject: string;
  aggregateType: string;
  aggregateId: string;
  aggregateVersion: number;
}

const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/**
 * Writes a service's events into its outbox inside the caller's transaction, so a domain change
 * and its events commit or roll back together. The relay publishes them after commit.
 */
export class OutboxWriter<Contract extends AnyEventContract = PlueEventContract> {
  private readonly tables: MessagingTables;
  private readonly contracts: ContractRegistry<Contract>;
  private readonly insertSql: string;

  constructor(options: OutboxWriterOptions<Contract>) {
    this.tables = messagingTables(options.schema);
    this.contracts = options.contracts ?? (EVENT_REGISTRY as unknown as ContractRegistry<Contract>);
    // One round trip: take the next version of (aggregate, subject) and insert the row. The upsert
    // locks the counter row until commit, so a concurrent emit for the same aggregate waits and its
    // row is created (clock_timestamp) after this transaction committed: created_at order is
    // version order, which is the order the relay publishes in.
    this.insertSql = `
      WITH next AS (
        INSERT INTO ${this.tables.aggregateVersions} AS counter (aggregate_type, aggregate_id, subject, version)
        VALUES ($2, $3, $4, 1)
        ON CONFLICT (aggregate_type, aggregate_id, subject) DO UPDATE SET version = counter.version + 1
        RETURNING version
      )
      INSERT INTO ${this.tables.outbox} (id, aggregate_type, aggregate_id, aggregate_version, subject, payload, headers)
      SELECT $1, $2, $3, next.version, $4, $5::jsonb,
             $6::jsonb || jsonb_build_object('${EVENT_HEADERS.aggregateVersion}', next.version::text)
        FROM next
      RETURNING aggregate_version`;
  }

  /**
   * Validates `payload` against the subject's contract (an error before any SQL, so nothing is
   * written and the caller's transaction fails), then writes the outbox row in `tx`.
   */
  async emit<Subject extends Contract['subject']>(
    tx: Tx,
    subject: Subject,
    aggregateId: string | number,
    payload: PayloadOf<Extract<Contract, { subject: Subject }>>,
    options: EmitOptions = {},
  ): Promise<EmittedEvent> {
    const contract = this.contracts.get(subject);
    const parsed = this.contracts.parse(subject, payload);
    const id = String(aggregateId);
    if (id.length === 0 || id.length > 255) throw new Error(`${subject}: aggregate id must have 1 to 255 characters`);
    if (options.traceparent !== undefined && !TRACEPARENT.test(options.traceparent)) {
      throw new Error(`${subject}: traceparent "${options.traceparent}" is not a W3C trace context`);
    }
    const eventId = randomUUID();
    const headers: Record<string, string> = {
      [EVENT_HEADERS.eventId]: eventId,
      [EVENT_HEADERS.eventType]: subject,
      [EVENT_HEADERS.schemaVersion]: String(contract.version),
      [EVENT_HEADERS.occurredAt]: (options.occurredAt ?? new Date()).toISOString(),
      [EVENT_HEADERS.aggregateType]: contract.aggregateType,
      [EVENT_HEADERS.aggregateId]: id,
    };
    if (options.traceparent) headers[EVENT_HEADERS.traceparent] = options.traceparent;
    const rows: { aggregate_version: string }[] = await tx.query(this.insertSql, [
      eventId,
      contract.aggregateType,
      id,
      subject,
      JSON.stringify(parsed),
      JSON.stringify(headers),
    ]);
    return {
      id: eventId,
      subject,
      aggregateType: contract.aggregateType,
      aggregateId: id,
      aggregateVersion: Number(rows[0].aggregate_version),
    };
  }
}
