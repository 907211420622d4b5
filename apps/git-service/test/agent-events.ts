import type { NatsConnection } from '@nats-io/transport-node';
import { WorkflowRunCompleted, type EventPayload } from '@plue/contracts';
import { createDataSource, inTransaction } from '@plue/db';
import { OutboxRelay, OutboxWriter } from '@plue/messaging';
import { createServiceLogger, PinoLoggerService } from '@plue/service-kit';
import { eventually } from './git-service-process';

type RunCompleted = EventPayload<'plue.agent.workflow_run.completed'>;

/**
 * Publishes `workflow_run.completed` events the way agent-service will: outbox rows written in a
 * transaction (as the superuser, standing in for plue_agent), then relayed to JetStream. Resolves
 * once JetStream has acknowledged all of them.
 */
export async function publishRunsCompleted(
  databaseUrl: string,
  connection: NatsConnection,
  events: RunCompleted[],
): Promise<void> {
  const dataSource = createDataSource(
    { url: databaseUrl, poolSize: 2, statementTimeoutMs: 10_000, applicationName: 'test agent' },
    [],
  );
  await dataSource.initialize();
  const relay = new OutboxRelay({
    schema: 'agent',
    dataSource,
    connection,
    pollIntervalMs: 100,
    logger: new PinoLoggerService(createServiceLogger('test agent relay', 'warn')),
  });
  try {
    const outbox = new OutboxWriter({ schema: 'agent' });
    await inTransaction(dataSource, async (tx) => {
      for (const event of events) await outbox.emit(tx, WorkflowRunCompleted.subject, event.workflowRunId, event);
    });
    relay.start();
    await eventually(async () => ((await relay.metrics()).pending === 0 ? true : undefined));
  } finally {
    await relay.stop();
    await dataSource.destroy();
  }
}
