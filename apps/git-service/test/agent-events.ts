import type { NatsConnection } from '@nats-io/transport-node';
import { WorkflowRunCompleted, type EventPayload } from '@plue/contracts';
import { publishThroughOutbox } from '@plue/messaging/testing';

/** `workflow_run.completed` events, as agent-service publishes them (aggregate: the run). */
export function publishRunsCompleted(
  databaseUrl: string,
  connection: NatsConnection,
  events: EventPayload<'plue.agent.workflow_run.completed'>[],
): Promise<void> {
  const outboxEvents = events.map((payload) => ({
    subject: WorkflowRunCompleted.subject,
    aggregateId: payload.workflowRunId,
    payload,
  }));
  return publishThroughOutbox(databaseUrl, connection, 'agent', outboxEvents);
}
