// Producer side: write events with the domain change, publish them from the outbox.
export { OutboxWriter, type OutboxWriterOptions, type EmitOptions, type EmittedEvent } from './outbox-writer';
export {
  OutboxRelay,
  type OutboxRelayOptions,
  type RelayHooks,
  type RelayMetrics,
  type RelayRetryOptions,
} from './outbox-relay';

// JetStream provisioning: streams and durable consumers are code.
export {
  provisionStreams,
  durableConsumerName,
  durableConsumerConfig,
  DEFAULT_TUNING,
  type ProvisionOptions,
  type DurableConsumerSpec,
  type ConsumerTuning,
} from './stream-provisioning';

// Consumer side: a Nest transport whose @EventPattern handlers run in an inbox transaction.
export { JetStreamServer, type JetStreamServerOptions, type ConsumerHooks } from './jetstream.server';
export { JetStreamContext } from './jetstream.context';
export { JetStreamErrorFilter } from './jetstream-error.filter';
export { type EventMetadata } from './event-envelope';
export { type DeadLetterReport, type ProcessorCounters } from './event-processor';
export { type ReplayOptions, type ReplayResult, type ReplaySubjectResult } from './event-replay';

// Observability.
export { messagingHealth, type MessagingHealth, type ConsumerMetrics } from './messaging-health';
