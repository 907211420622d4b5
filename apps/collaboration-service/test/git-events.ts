import type { NatsConnection } from '@nats-io/transport-node';
import { BranchPushed, RepositoryCreated, type EventPayload } from '@plue/contracts';
import { publishThroughOutbox } from '@plue/messaging/testing';

// git-service's events, published the way it publishes them (aggregate: the repository).

export function publishRepositoriesCreated(
  databaseUrl: string,
  connection: NatsConnection,
  events: EventPayload<'plue.git.repository.created'>[],
): Promise<void> {
  const outboxEvents = events.map((payload) => ({
    subject: RepositoryCreated.subject,
    aggregateId: payload.repoId,
    payload,
  }));
  return publishThroughOutbox(databaseUrl, connection, 'git', outboxEvents);
}

export function publishBranchesPushed(
  databaseUrl: string,
  connection: NatsConnection,
  events: EventPayload<'plue.git.branch.pushed'>[],
): Promise<void> {
  const outboxEvents = events.map((payload) => ({
    subject: BranchPushed.subject,
    aggregateId: payload.repoId,
    payload,
  }));
  return publishThroughOutbox(databaseUrl, connection, 'git', outboxEvents);
}
