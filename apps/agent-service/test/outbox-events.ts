import type { NatsConnection } from '@nats-io/transport-node';
import { BranchPushed, type EventPayload } from '@plue/contracts';
import { createDataSource, inTransaction } from '@plue/db';
import { OutboxRelay, OutboxWriter } from '@plue/messaging';
import { createServiceLogger, PinoLoggerService } from '@plue/service-kit';
import { eventually } from './agent-service-process';

type BranchPushedPayload = EventPayload<'plue.git.branch.pushed'>;

/**
 * Publishes `branch.pushed` events the way git-service does: outbox rows written in a transaction
 * (as the superuser, standing in for plue_git), then relayed to JetStream. Resolves once JetStream
 * has acknowledged all of them.
 */
export async function publishBranchesPushed(
  databaseUrl: string,
  connection: NatsConnection,
  events: BranchPushedPayload[],
): Promise<void> {
  const dataSource = createDataSource(
    { url: databaseUrl, poolSize: 2, statementTimeoutMs: 10_000, applicationName: 'test git' },
    [],
  );
  await dataSource.initialize();
  const relay = new OutboxRelay({
    schema: 'git',
    dataSource,
    connection,
    pollIntervalMs: 100,
    logger: new PinoLoggerService(createServiceLogger('test git relay', 'warn')),
  });
  try {
    const outbox = new OutboxWriter({ schema: 'git' });
    await inTransaction(dataSource, async (tx) => {
      for (const event of events) await outbox.emit(tx, BranchPushed.subject, event.repoId, event);
    });
    relay.start();
    await eventually(async () => ((await relay.metrics()).pending === 0 ? true : undefined));
  } finally {
    await relay.stop();
    await dataSource.destroy();
  }
}
