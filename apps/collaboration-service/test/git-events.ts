import type { NatsConnection } from '@nats-io/transport-node';
import { BranchPushed, RepositoryCreated, type EventPayload } from '@plue/contracts';
import { createDataSource, inTransaction } from '@plue/db';
import { OutboxRelay, OutboxWriter } from '@plue/messaging';
import { createServiceLogger, PinoLoggerService } from '@plue/service-kit';
import { eventually } from './collaboration-service-process';

type RepositoryCreatedPayload = EventPayload<'plue.git.repository.created'>;
type BranchPushedPayload = EventPayload<'plue.git.branch.pushed'>;

/** Publishes `repository.created` events the way git-service does (see `publishGitEvents`). */
export function publishRepositoriesCreated(
  databaseUrl: string,
  connection: NatsConnection,
  events: RepositoryCreatedPayload[],
): Promise<void> {
  return publishGitEvents(databaseUrl, connection, RepositoryCreated.subject, events);
}

/** Publishes `branch.pushed` events the way git-service does (see `publishGitEvents`). */
export function publishBranchesPushed(
  databaseUrl: string,
  connection: NatsConnection,
  events: BranchPushedPayload[],
): Promise<void> {
  return publishGitEvents(databaseUrl, connection, BranchPushed.subject, events);
}

/**
 * Publishes git events the way git-service does: outbox rows written in a transaction (as the
 * superuser, standing in for plue_git; aggregate: the repository), then relayed to JetStream.
 * Resolves once JetStream has acknowledged all of them.
 */
async function publishGitEvents(
  databaseUrl: string,
  connection: NatsConnection,
  subject: typeof RepositoryCreated.subject | typeof BranchPushed.subject,
  events: (RepositoryCreatedPayload | BranchPushedPayload)[],
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
      for (const event of events) await outbox.emit(tx, subject, event.repoId, event);
    });
    relay.start();
    await eventually(async () => ((await relay.metrics()).pending === 0 ? true : undefined));
  } finally {
    await relay.stop();
    await dataSource.destroy();
  }
}
