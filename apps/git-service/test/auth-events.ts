import type { NatsConnection } from '@nats-io/transport-node';
import { UserDeleted, type EventPayload } from '@plue/contracts';
import { createDataSource, inTransaction } from '@plue/db';
import { OutboxRelay, OutboxWriter } from '@plue/messaging';
import { createServiceLogger, PinoLoggerService } from '@plue/service-kit';
import { eventually } from './git-service-process';

/**
 * Publishes a `user.deleted` event the way auth-service does: an outbox row written in a transaction
 * (as the superuser, standing in for plue_auth), then relayed to JetStream. Resolves once JetStream
 * has acknowledged it.
 */
export async function publishUserDeleted(
  databaseUrl: string,
  connection: NatsConnection,
  event: EventPayload<'plue.auth.user.deleted'>,
  traceparent?: string,
): Promise<void> {
  const dataSource = createDataSource(
    { url: databaseUrl, poolSize: 2, statementTimeoutMs: 10_000, applicationName: 'test auth' },
    [],
  );
  await dataSource.initialize();
  const relay = new OutboxRelay({
    schema: 'auth',
    dataSource,
    connection,
    pollIntervalMs: 100,
    logger: new PinoLoggerService(createServiceLogger('test auth relay', 'warn')),
  });
  try {
    const outbox = new OutboxWriter({ schema: 'auth' });
    await inTransaction(dataSource, (tx) => outbox.emit(tx, UserDeleted.subject, event.userId, event, { traceparent }));
    relay.start();
    await eventually(async () => ((await relay.metrics()).pending === 0 ? true : undefined));
  } finally {
    await relay.stop();
    await dataSource.destroy();
  }
}
