import type { Client } from 'pg';
import { durableConsumerName } from '@plue/messaging';
import { CONSUMERS, PRODUCERS, producedTable, sideEffectTable, type FaultSubject } from './fault-workload';

/** The outcome for one durable consumer (a consuming service and one subject it handles). */
export interface ConsumerOutcome {
  consumer: string;
  subject: FaultSubject;
  /** Events committed by the producer (rolled-back ones excluded) plus raw poison published. */
  expected: number;
  /** Distinct events whose side effect committed. */
  processed: number;
  /** Dead-letter rows of the consumer. */
  deadLettered: number;
  /** expected − processed − deadLettered, as the issue defines it. */
  lost: number;
  /** Expected events with neither a side effect nor a dead letter (0 when nothing is lost). */
  missing: number;
  /** Side effects applied more than once (the unique key counted the repeats). */
  duplicates: number;
  /** Side effects of events nobody committed (a rolled-back transaction's event, say). */
  unexpected: number;
  /** Events both applied and dead-lettered, or dead-lettered twice. */
  doubleOutcomes: number;
  /** Side effects applied after one with a higher version of the same aggregate. */
  orderViolations: number;
  poisonInjected: number;
  /** Dead letters of events that were not poison. */
  healthyDeadLettered: number;
  /** Their errors (a few), to say why when the suite fails. */
  healthyDeadLetterErrors: string[];
}

/** Per subject: the raw poison (invalid payloads published straight to JetStream) by event id. */
export type RawPoison = Record<FaultSubject, string[]>;

export async function consumerOutcomes(admin: Client, rawPoison: RawPoison): Promise<ConsumerOutcome[]> {
  const outcomes: ConsumerOutcome[] = [];
  for (const consumerService of CONSUMERS) {
    for (const subject of consumerService.subjects) {
      const producer = PRODUCERS.find((candidate) => candidate.subject === subject);
      if (!producer) throw new Error(`no producer emits ${subject}`);
      const consumer = durableConsumerName(consumerService.service, subject);
      const effects = sideEffectTable(consumerService.service);
      const deadLetters = `${consumerService.service}.dead_letters`;
      // Table names come from the workload's constants, never from input.
      const { rows } = await admin.query<
        Omit<ConsumerOutcome, 'consumer' | 'subject' | 'lost' | 'healthyDeadLetterErrors'>
      >(
        `WITH expected AS (
           SELECT event_id, poison FROM ${producedTable(producer.service)}
           UNION ALL SELECT unnest($2::uuid[]), true
         ),
         effects AS (SELECT event_id, duplicates FROM ${effects} WHERE consumer = $1),
         dead AS (SELECT event_id FROM ${deadLetters} WHERE consumer = $1)
         SELECT
           (SELECT count(*) FROM expected)::int AS expected,
           (SELECT count(*) FROM effects)::int AS processed,
           (SELECT count(*) FROM dead)::int AS "deadLettered",
           (SELECT count(*) FROM expected e
             WHERE NOT EXISTS (SELECT 1 FROM effects f WHERE f.event_id = e.event_id)
               AND NOT EXISTS (SELECT 1 FROM dead d WHERE d.event_id = e.event_id))::int AS missing,
           (SELECT coalesce(sum(duplicates), 0) FROM effects)::int AS duplicates,
           (SELECT count(*) FROM effects f
             WHERE NOT EXISTS (SELECT 1 FROM expected e WHERE e.event_id = f.event_id))::int AS unexpected,
           ((SELECT count(*) FROM effects f JOIN dead d USING (event_id))
             + (SELECT count(*) - count(DISTINCT event_id) FROM dead))::int AS "doubleOutcomes",
           (SELECT count(*) FROM expected WHERE poison)::int AS "poisonInjected",
           (SELECT count(*) FROM dead d
             WHERE d.event_id IS NULL
                OR NOT EXISTS (SELECT 1 FROM expected e WHERE e.event_id = d.event_id AND e.poison))::int
             AS "healthyDeadLettered",
           (SELECT count(*) FROM (
              SELECT aggregate_version < max(aggregate_version) OVER (
                       PARTITION BY aggregate_id ORDER BY applied_order
                       ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS inverted
                FROM ${effects} WHERE consumer = $1) applied
             WHERE inverted)::int AS "orderViolations"`,
        [consumer, rawPoison[subject]],
      );
      const row = rows[0];
      const healthy = await admin.query<{ error: string }>(
        `SELECT d.error || ' (attempts ' || d.attempts || ', event ' || coalesce(d.event_id::text, '?') || ')' AS error
           FROM ${deadLetters} d
          WHERE d.consumer = $1
            AND NOT EXISTS (SELECT 1 FROM unnest($2::uuid[]) AS r(id) WHERE r.id = d.event_id)
            AND NOT EXISTS (SELECT 1 FROM ${producedTable(producer.service)} p WHERE p.event_id = d.event_id AND p.poison)
          ORDER BY d.id LIMIT 5`,
        [consumer, rawPoison[subject]],
      );
      outcomes.push({
        consumer,
        subject,
        ...row,
        lost: row.expected - row.processed - row.deadLettered,
        healthyDeadLetterErrors: healthy.rows.map((dead) => dead.error),
      });
    }
  }
  return outcomes;
}

/** Outbox rows not yet marked published, over the producing services. */
export async function unpublishedRows(admin: Client): Promise<number> {
  let total = 0;
  for (const producer of PRODUCERS) {
    const { rows } = await admin.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${producer.service}.outbox WHERE published_at IS NULL`,
    );
    total += rows[0].n;
  }
  return total;
}

/** The per-consumer table the suite prints, and the bench records. */
export function formatOutcomes(outcomes: ConsumerOutcome[]): string {
  const columns: [string, (outcome: ConsumerOutcome) => string | number][] = [
    ['consumer', (outcome) => outcome.consumer],
    ['expected', (outcome) => outcome.expected],
    ['processed', (outcome) => outcome.processed],
    ['dead-lettered', (outcome) => outcome.deadLettered],
    ['lost', (outcome) => outcome.lost],
    ['duplicates', (outcome) => outcome.duplicates],
    ['order violations', (outcome) => outcome.orderViolations],
    ['poison injected', (outcome) => outcome.poisonInjected],
  ];
  const lines = [
    `| ${columns.map(([name]) => name).join(' | ')} |`,
    `| --- |${' ---: |'.repeat(columns.length - 1)}`,
    ...outcomes.map((outcome) => `| ${columns.map(([, value]) => value(outcome)).join(' | ')} |`),
  ];
  return lines.join('\n');
}
