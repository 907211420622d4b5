import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  ReplayPolicy,
  RetentionPolicy,
  StorageType,
  type ConsumerConfig,
  type ConsumerInfo,
  type JetStreamManager,
  type StreamConfig,
  type StreamInfo,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { STREAMS, streamFor, type StreamDefinition } from '@plue/contracts';

/** How a durable consumer delivers and retries. Defaults in `DEFAULT_TUNING`. */
export interface ConsumerTuning {
  /** Unacknowledged this long, a message is redelivered (a consumer that died mid-message). */
  ackWaitMs: number;
  /** Messages delivered and not yet acknowledged, across all instances of the service. */
  maxAckPending: number;
  /** Failed handler attempts (counted in the database) before the event goes to the dead letters. */
  maxAttempts: number;
  /** Delay before retry n (the last value repeats). */
  backoffMs: number[];
  /**
   * Deliveries (any cause, predecessor waits included) after which a message is dead-lettered
   * when its turn comes instead of being tried again: the guard against a message whose handling
   * kills the process, which no failure count would ever see. Far above what waits for a
   * predecessor cost (`orderWaitTimeoutMs` / at most 2 s per wait).
   */
  maxDeliveries: number;
  /** How long an event may wait for its aggregate's predecessor before it is dead-lettered. */
  orderWaitTimeoutMs: number;
  /** Messages one instance handles at once per subject (events of one aggregate run one at a time). */
  concurrency: number;
}

export const DEFAULT_TUNING: ConsumerTuning = {
  ackWaitMs: 30_000,
  maxAckPending: 1000,
  maxAttempts: 5,
  backoffMs: [1000, 5000, 15_000, 60_000],
  maxDeliveries: 1000,
  orderWaitTimeoutMs: 600_000,
  concurrency: 16,
};

export interface DurableConsumerSpec {
  service: string;
  subject: string;
  tuning?: Partial<ConsumerTuning>;
}

export interface ProvisionOptions {
  /** Default: the four domain streams of `STREAMS`. */
  streams?: readonly StreamDefinition[];
  /** Durable consumers to create as well (services also create their own when they start). */
  consumers?: readonly DurableConsumerSpec[];
}

/** `<service>--<subject with . as _>`: one durable per (service, subject), shared by all instances. */
export function durableConsumerName(service: string, subject: string): string {
  if (!/^[a-z][a-z0-9_-]*$/.test(service)) throw new Error(`service name "${service}" must be lowercase`);
  return `${service}--${subject.replaceAll('.', '_')}`;
}

/**
 * The durable pull consumer of (service, subject). Deliver policy "all": a consumer created after
 * events were published still receives them. Server-side deliveries are unlimited because a
 * message the server stops delivering would be lost silently; the lib counts attempts itself.
 */
export function durableConsumerConfig(
  service: string,
  subject: string,
  tuning: Partial<ConsumerTuning> = {},
): Partial<ConsumerConfig> {
  const { ackWaitMs, maxAckPending } = { ...DEFAULT_TUNING, ...tuning };
  return {
    durable_name: durableConsumerName(service, subject),
    filter_subject: subject,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    replay_policy: ReplayPolicy.Instant,
    ack_wait: nanos(ackWaitMs),
    max_deliver: -1,
    max_ack_pending: maxAckPending,
  };
}

/** Creates or updates the streams, then the durable consumers. Idempotent; concurrent runs agree. */
export async function provisionStreams(jsm: JetStreamManager, options: ProvisionOptions = {}): Promise<void> {
  const streams = options.streams ?? STREAMS;
  for (const stream of streams) await ensureStream(jsm, stream);
  for (const consumer of options.consumers ?? []) {
    await ensureDurableConsumer(
      jsm,
      streamFor(consumer.subject, streams).name,
      durableConsumerConfig(consumer.service, consumer.subject, consumer.tuning),
    );
  }
}

function streamConfig(stream: StreamDefinition): Partial<StreamConfig> & { name: string } {
  return {
    name: stream.name,
    subjects: stream.subjects,
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.New,
    duplicate_window: nanos(stream.duplicateWindowMs),
    max_age: nanos(stream.maxAgeMs),
    max_bytes: stream.maxBytes,
    max_msg_size: stream.maxMessageBytes,
    num_replicas: 1,
  };
}

export async function ensureStream(jsm: JetStreamManager, stream: StreamDefinition): Promise<StreamInfo> {
  const wanted = streamConfig(stream);
  let info = await infoOrNull(() => jsm.streams.info(stream.name), JetStreamApiCodes.StreamNotFound);
  if (!info) {
    try {
      return await jsm.streams.add(wanted);
    } catch (error) {
      // Another instance created it first: fall through to compare and update.
      info = await infoOrNull(() => jsm.streams.info(stream.name), JetStreamApiCodes.StreamNotFound);
      if (!info) throw error;
    }
  }
  const current = info.config;
  const differs =
    [...current.subjects].sort().join() !== [...stream.subjects].sort().join() ||
    current.discard !== wanted.discard ||
    current.duplicate_window !== wanted.duplicate_window ||
    current.max_age !== wanted.max_age ||
    current.max_bytes !== wanted.max_bytes ||
    current.max_msg_size !== wanted.max_msg_size;
  if (!differs) return info;
  const { subjects, discard, duplicate_window, max_age, max_bytes, max_msg_size } = wanted;
  return jsm.streams.update(stream.name, { subjects, discard, duplicate_window, max_age, max_bytes, max_msg_size });
}

export async function ensureDurableConsumer(
  jsm: JetStreamManager,
  stream: string,
  config: Partial<ConsumerConfig>,
): Promise<ConsumerInfo> {
  const name = config.durable_name ?? '';
  let info = await infoOrNull(() => jsm.consumers.info(stream, name), JetStreamApiCodes.ConsumerNotFound);
  if (!info) {
    try {
      return await jsm.consumers.add(stream, config);
    } catch (error) {
      info = await infoOrNull(() => jsm.consumers.info(stream, name), JetStreamApiCodes.ConsumerNotFound);
      if (!info) throw error;
    }
  }
  const current = info.config;
  if (
    current.ack_wait === config.ack_wait &&
    current.max_ack_pending === config.max_ack_pending &&
    current.max_deliver === config.max_deliver
  ) {
    return info;
  }
  return jsm.consumers.update(stream, name, {
    ack_wait: config.ack_wait,
    max_ack_pending: config.max_ack_pending,
    max_deliver: config.max_deliver,
  });
}

async function infoOrNull<T>(read: () => Promise<T>, notFoundCode: number): Promise<T | null> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof JetStreamApiError && error.code === notFoundCode) return null;
    throw error;
  }
}
