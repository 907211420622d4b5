import type { ProcessorCounters } from './event-processor';
import type { JetStreamServer } from './jetstream.server';
import type { OutboxRelay, RelayMetrics } from './outbox-relay';

/** One durable consumer of this instance: its counters and the server-side backlog. */
export interface ConsumerMetrics extends ProcessorCounters {
  consumer: string;
  subject: string;
  /** Messages the consumer has not delivered yet (all instances); null when NATS did not answer. */
  numPending: number | null;
  /** Delivered and not yet acknowledged (all instances). */
  numAckPending: number | null;
  running: boolean;
}

export interface MessagingHealth {
  /** False while a relay keeps failing to publish or a consumer loop is not running. */
  healthy: boolean;
  relays: RelayMetrics[];
  consumers: ConsumerMetrics[];
}

/** The messaging part of a service's health endpoint (issue 5 exposes it over HTTP). */
export async function messagingHealth(parts: {
  relays?: readonly OutboxRelay[];
  servers?: readonly JetStreamServer[];
}): Promise<MessagingHealth> {
  const relays = await Promise.all((parts.relays ?? []).map((relay) => relay.metrics()));
  const consumers = (await Promise.all((parts.servers ?? []).map((server) => server.metrics()))).flat();
  const healthy =
    relays.every((relay) => relay.consecutiveFailures === 0) &&
    consumers.every((consumer) => consumer.running && consumer.numPending !== null);
  return { healthy, relays, consumers };
}
