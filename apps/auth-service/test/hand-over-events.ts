import type { NatsConnection } from '@nats-io/transport-node';
import { CollaborationUserContentReassigned, GitUserContentReassigned } from '@plue/contracts';
import { createDataSource, inTransaction } from '@plue/db';
import { OutboxRelay, OutboxWriter } from '@plue/messaging';
import { createServiceLogger, PinoLoggerService } from '@plue/service-kit';
import { eventually } from './auth-service-process';

/** The domains that confirm a hand-over, with the subject each confirms on. */
export const HAND_OVER_SUBJECTS = {
  git: GitUserContentReassigned.subject,
  collaboration: CollaborationUserContentReassigned.subject,
} as const;

/**
 * Publishes a domain's `user_content.reassigned` confirmation the way that service does: an outbox
 * row written in a transaction of the domain's schema (as the superuser, standing in for its role),
 * then relayed to JetStream. Resolves once JetStream has acknowledged it.
 */
export async function publishHandOver(
  databaseUrl: string,
  connection: NatsConnection,
  domain: keyof typeof HAND_OVER_SUBJECTS,
  event: { userId: number; ghostUserId: number },
): Promise<void> {
  const dataSource = createDataSource(
    { url: databaseUrl, poolSize: 2, statementTimeoutMs: 10_000, applicationName: `test ${domain}` },
    [],
  );
  await dataSource.initialize();
  const relay = new OutboxRelay({
    schema: domain,
    dataSource,
    connection,
    pollIntervalMs: 100,
    logger: new PinoLoggerService(createServiceLogger(`test ${domain} relay`, 'warn')),
  });
  try {
    const outbox = new OutboxWriter({ schema: domain });
    await inTransaction(dataSource, (tx) => outbox.emit(tx, HAND_OVER_SUBJECTS[domain], event.userId, event));
    relay.start();
    await eventually(async () => ((await relay.metrics()).pending === 0 ? true : undefined));
  } finally {
    await relay.stop();
    await dataSource.destroy();
  }
}
