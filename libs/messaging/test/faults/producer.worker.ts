import { inTransaction } from '@plue/db';
import { OutboxWriter } from '@plue/messaging';
import { payloadFor, producedTable, type FaultSubject, type ProducerService } from './fault-workload';
import { seededRandom } from './seeded-random';
import { fail, onTerminate, openDataSource, readWorkerConfig, report } from './worker-runtime';

/**
 * A producing service: emits the numbers [firstNumber, firstNumber + count) as events of one subject
 * through its outbox, each with a domain row written in the same transaction. Some transactions roll
 * back on purpose after emitting: their events must never appear anywhere.
 */
export interface ProducerConfig {
  service: ProducerService;
  subject: FaultSubject;
  databaseUrl: string;
  firstNumber: number;
  count: number;
  aggregates: number;
  poisonNumbers: number[];
  /** Share of transactions that roll back after emitting. */
  rollbackShare: number;
  eventsPerSecond: number;
  /** Transactions in flight at once (their commits interleave, as a busy service's do). */
  concurrency: number;
  seed: number;
}

async function main(): Promise<void> {
  const config = readWorkerConfig<ProducerConfig>();
  const random = seededRandom(config.seed);
  const poison = new Set(config.poisonNumbers);
  const dataSource = await openDataSource(config.databaseUrl, config.concurrency, `fault producer ${config.service}`);
  onTerminate(() => dataSource.destroy());
  const writer = new OutboxWriter({ schema: config.service });
  const table = producedTable(config.service);

  const end = config.firstNumber + config.count;
  let next = config.firstNumber;
  let committed = 0;
  let rolledBack = 0;
  const started = performance.now();

  class IntendedRollback extends Error {}

  const loop = async (): Promise<void> => {
    while (next < end) {
      // One to three events per transaction, over random aggregates; the plan is drawn before any
      // await so that the seed alone decides it whatever the commit interleaving.
      const size = Math.min(1 + Math.floor(random() * 3), end - next);
      const numbers = Array.from({ length: size }, (_, index) => next + index);
      next += size;
      // Sorted: concurrent transactions lock aggregate version counters in one order, never in a
      // cycle (the deadlock a service emitting for several aggregates at once must avoid too).
      const aggregates = numbers.map(() => 1 + Math.floor(random() * config.aggregates)).sort((a, b) => a - b);
      const rollback = random() < config.rollbackShare && !numbers.some((number) => poison.has(number));

      const dueMs = ((numbers[0] - config.firstNumber) / config.eventsPerSecond) * 1000;
      const waitMs = started + dueMs - performance.now();
      if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));

      try {
        await inTransaction(dataSource, async (tx) => {
          for (const [index, number] of numbers.entries()) {
            const payload = payloadFor(config.subject, number, aggregates[index], poison.has(number));
            const event = await writer.emit(tx, config.subject, aggregates[index], payload);
            await tx.query(
              `INSERT INTO ${table} (event_number, event_id, subject, aggregate_id, poison) VALUES ($1, $2, $3, $4, $5)`,
              [number, event.id, config.subject, String(aggregates[index]), poison.has(number)],
            );
          }
          if (rollback) throw new IntendedRollback();
        });
        committed += size;
      } catch (error) {
        if (!(error instanceof IntendedRollback)) throw error;
        rolledBack += size;
      }
    }
  };
  await Promise.all(Array.from({ length: config.concurrency }, loop));
  report({ type: 'done', committed, rolledBack });
  await dataSource.destroy();
  process.exit(0); // stdin stays open (see readWorkerConfig)
}

main().catch(fail);
