import type { NatsConnection } from '@nats-io/transport-node';
import { BranchPushed, CommentCreated, IssueOpened, type EventPayload } from '@plue/contracts';
import { publishThroughOutbox } from '@plue/messaging/testing';

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
