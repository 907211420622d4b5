import type { LoggerService } from '@nestjs/common';
import {
  AckPolicy,
  DeliverPolicy,
  ReplayPolicy,
  type ConsumerConfig,
  type JetStreamClient,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { ConsumerRunner } from './consumer-runner';
import type { EventProcessor, ProcessorCounters } from './event-processor';
import type { ConsumerTuning } from './stream-provisioning';

export interface ReplayOptions {
  /** Re-deliver events stored at or after this time, or from this stream sequence. */
  from: { time: Date } | { sequence: number };
  /**
   * Subjects to replay (default: every subject the service handles). A sequence belongs to one
   * stream, so with `from.sequence` all subjects must be in the same stream.
   */
  subjects?: string[];
  /** Give up (and throw) when the replay has not drained by then. Default 10 minutes. */
  timeoutMs?: number;
}

export interface ReplaySubjectResult extends ProcessorCounters {
  subject: string;
}

export interface ReplayResult {
  subjects: ReplaySubjectResult[];
}

export interface ReplayTarget {
  subject: string;
  stream: string;
  processor: EventProcessor;
}

/**
 * Re-delivers one subject's stored events through the service's normal handling path: an
 * ephemeral pull consumer starting at the given time or sequence feeds an EventProcessor whose
 * inbox key is the service's durable consumer, so events handled before are skipped as
 * duplicates and only the missing ones run. The consumer is deleted when it has drained (and
 * expires by itself if the replaying process dies).
 */
export async function replaySubject(
  jsm: JetStreamManager,
  js: JetStreamClient,
  target: ReplayTarget,
  options: ReplayOptions,
  tuning: ConsumerTuning,
  logger: LoggerService,
): Promise<ReplaySubjectResult> {
  const start: Partial<ConsumerConfig> =
    'time' in options.from
      ? { deliver_policy: DeliverPolicy.StartTime, opt_start_time: options.from.time.toISOString() }
      : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: options.from.sequence };
  const info = await jsm.consumers.add(target.stream, {
    ...start,
    filter_subject: target.subject,
    ack_policy: AckPolicy.Explicit,
    replay_policy: ReplayPolicy.Instant,
    ack_wait: nanos(tuning.ackWaitMs),
    max_deliver: -1,
    max_ack_pending: tuning.maxAckPending,
    inactive_threshold: nanos(5 * 60_000),
  });
  const runner = new ConsumerRunner(
    js,
    target.stream,
    info.name,
    target.processor,
    tuning.concurrency,
    tuning.ackWaitMs,
    logger,
  );
  runner.start();
  const deadline = Date.now() + (options.timeoutMs ?? 600_000);
  try {
    // Drained: nothing left to deliver, nothing delivered and unacknowledged (a nak'd message
    // waiting for its redelivery counts as unacknowledged), nothing being processed.
    for (;;) {
      const state = await jsm.consumers.info(target.stream, info.name);
      if (state.num_pending === 0 && state.num_ack_pending === 0 && runner.active === 0) break;
      if (Date.now() > deadline) {
        throw new Error(`replay of ${target.subject} did not drain in time (${state.num_pending} pending)`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    await runner.stop();
    await jsm.consumers.delete(target.stream, info.name).catch(() => undefined);
  }
  return { subject: target.subject, ...target.processor.counters };
}
