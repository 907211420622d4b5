import type { NatsConnection } from '@nats-io/transport-node';
import { BranchPushed, CommentCreated, IssueOpened, type EventPayload, type EventSubject } from '@plue/contracts';
import { createDataSource, inTransaction } from '@plue/db';
import { OutboxRelay, OutboxWriter } from '@plue/messaging';
import { createServiceLogger, PinoLoggerService } from '@plue/service-kit';
import { eventually } from './agent-service-process';

/** One event to publish: its subject, the id of its aggregate, and its payload. */
export type OutboxEvent = {
  [Subject in EventSubject]: { subject: Subject; aggregateId: number; payload: EventPayload<Subject> };
}[EventSubject];

/**
 * Publishes events the way their producing service does: outbox rows written in a transaction of
 * the producer's messaging schema (as the superuser, standing in for plue_git or
 * plue_collaboration), then relayed to JetStream. Resolves once JetStream has acknowledged all of them.
 */
export async function publishThroughOutbox(
  databaseUrl: string,
  connection: NatsConnection,
  schema: 'git' | 'collaboration',
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
    logger: new PinoLoggerService(createServiceLogger(`test ${schema} relay`, 'warn')),
  });
  try {
    const outbox = new OutboxWriter({ schema });
    await inTransaction(dataSource, async (tx) => {
      for (const event of events) await outbox.emit(tx, event.subject, event.aggregateId, event.payload);
    });
    relay.start();
    await eventually(async () => ((await relay.metrics()).pending === 0 ? true : undefined));
  } finally {
    await relay.stop();
    await dataSource.destroy();
  }
}

/** `plue.git.branch.pushed` events, as git-service publishes them (aggregate: the repository). */
export function publishBranchesPushed(
  databaseUrl: string,
  connection: NatsConnection,
  events: EventPayload<'plue.git.branch.pushed'>[],
): Promise<void> {
  return publishThroughOutbox(
    databaseUrl,
    connection,
    'git',
    events.map((payload) => ({ subject: BranchPushed.subject, aggregateId: payload.repoId, payload })),
  );
}

/** Collaboration's issue events, as collaboration-service publishes them (aggregate: the issue). */
export function publishIssueEvents(
  databaseUrl: string,
  connection: NatsConnection,
  events: (
    | { subject: typeof IssueOpened.subject; payload: EventPayload<'plue.collaboration.issue.opened'> }
    | { subject: typeof CommentCreated.subject; payload: EventPayload<'plue.collaboration.comment.created'> }
  )[],
): Promise<void> {
  return publishThroughOutbox(
    databaseUrl,
    connection,
    'collaboration',
    events.map((event) => ({ ...event, aggregateId: event.payload.issueId })),
  );
}
