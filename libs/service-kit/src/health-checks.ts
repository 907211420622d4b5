import type { NatsConnection } from '@nats-io/transport-node';
import { messagingHealth, type JetStreamServer, type OutboxRelay } from '@plue/messaging';
import type { DataSource } from 'typeorm';
import type { HealthCheck } from './health.server';

export function databaseCheck(dataSource: DataSource): HealthCheck {
  return {
    name: 'database',
    async run() {
      const started = Date.now();
      await dataSource.query('SELECT 1');
      return { ok: true, latencyMs: Date.now() - started };
    },
  };
}

/** A round trip to the server on each connection: a reconnecting connection fails it. */
export function natsCheck(connections: Record<string, NatsConnection>): HealthCheck {
  return {
    name: 'nats',
    async run() {
      const entries = Object.entries(connections);
      const rtts = await Promise.all(entries.map(([, connection]) => connection.rtt()));
      return { ok: true, rttMs: Object.fromEntries(entries.map(([name], index) => [name, rtts[index]])) };
    },
  };
}

/**
 * The relay publishes and the consumers run; and, on the instance leading the relay, the oldest
 * unpublished event is younger than `maxRelayLagMs` (a standby's lag is the leader's to report).
 */
export function messagingCheck(relay: OutboxRelay, consumers: JetStreamServer, maxRelayLagMs: number): HealthCheck {
  return {
    name: 'messaging',
    async run() {
      const health = await messagingHealth({ relays: [relay], servers: [consumers] });
      const lagging = health.relays.filter(
        (metrics) => metrics.leader && (metrics.oldestPendingAgeMs ?? 0) > maxRelayLagMs,
      );
      return { ok: health.healthy && lagging.length === 0, maxRelayLagMs, ...health };
    },
  };
}
