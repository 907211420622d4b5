import { ConsoleLogger } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import type { EventPayload, EventSubject } from '@plue/contracts';
import { createDataSource, inTransaction } from '@plue/db';
import { eventually } from '@plue/testing';
import { OutboxRelay, OutboxWriter } from '../src';

/** One event to publish: its subject, the id of its aggregate, its payload and trace. */
export type OutboxEvent = {
  [Subject in EventSubject]: {
    subject: Subject;
    aggregateId: number;
    payload: EventPayload<Subject>;
    traceparent?: string;
  };
}[EventSubject];

/**
 * Publishes events of another domain the way their producing service does, so that a test of a
 * consumer sees them as in production: outbox rows written in one transaction of the producer's
 * messaging schema (`auth`, `git`…; as the superuser of `databaseUrl`, standing in for the
 * producer's role), then relayed to JetStream by a real relay. Resolves once JetStream has
 * acknowledged all of them.
 */
export async function publishThroughOutbox(
  databaseUrl: string,
  connection: NatsConnection,
  schema: string,
  events: OutboxEvent[],
): Promise<void> {
  const dataSource = createDataSource(
    { url: databaseUrl, poolSize: 2, statementTimeoutMs: 10_000, applicationName: `test ${schema}` },
    [],
  );
  await dataSource.initialize();
  const relay = new OutboxRelay({
    schema,
    dataSource,
    connection,
    pollIntervalMs: 100,
    // Leadership lines would drown the test output; warnings and errors stay.
    logger: new ConsoleLogger(`test ${schema} relay`, { logLevels: ['warn', 'error'] }),
  });
  try {
    const outbox = new OutboxWriter({ schema });
    await inTransaction(dataSource, async (tx) => {
      for (const event of events) {
        await outbox.emit(tx, event.subject, event.aggregateId, event.payload, { traceparent: event.traceparent });
      }
    });
    relay.start();
    await eventually(async () => ((await relay.metrics()).pending === 0 ? true : undefined));
  } finally {
    await relay.stop();
    await dataSource.destroy();
  }
}
