import type { LoggerService } from '@nestjs/common';
import type { ConsumerMessages, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { EVENT_HEADERS } from '@plue/contracts';
import { errorText } from './error-text';
import type { EventProcessor } from './event-processor';
import { retryDelay } from './retry-delay';
import { WakeSignal } from './wake-signal';

/**
 * Pulls one JetStream consumer and feeds its messages to an EventProcessor: up to `concurrency`
 * at once, the messages of one aggregate one after the other in delivery order (running them in
 * parallel would only make the later one wait for its predecessor). Reconnects and re-pulls on
 * its own; `stop` lets the messages in progress finish.
 */
export class ConsumerRunner {
  private running = false;
  private loop: Promise<void> | null = null;
  private messages: ConsumerMessages | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  /** Messages taken from the consumer and not finished: queued behind their aggregate, or running. */
  private readonly held = new Set<JsMsg>();
  private heartbeat: NodeJS.Timeout | null = null;
  private readonly aggregateTails = new Map<string, Promise<void>>();
  private readonly slotFreed = new WakeSignal();
  private readonly stopSignal = new WakeSignal();
  private consecutiveErrors = 0;

  constructor(
    private readonly js: JetStreamClient,
    readonly stream: string,
    readonly consumerName: string,
    private readonly processor: EventProcessor,
    private readonly concurrency: number,
    private readonly ackWaitMs: number,
    private readonly logger: LoggerService,
    /** Re-creates the stream and consumer after a failure (a server that lost its store). */
    private readonly provision?: () => Promise<unknown>,
  ) {}

  get isRunning(): boolean {
    return this.running;
  }

  get active(): number {
    return this.inFlight.size;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    // A message waiting behind its aggregate or in a slow handler is still in good hands: tell
    // JetStream, so only a dead or frozen instance's messages are redelivered.
    this.heartbeat = setInterval(
      () => {
        for (const message of this.held) message.working();
      },
      Math.max(100, Math.floor(this.ackWaitMs / 3)),
    );
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopSignal.wake();
    await this.messages?.close().catch(() => undefined);
    await this.loop;
    await Promise.all(this.inFlight);
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        if (this.consecutiveErrors > 0) await this.provision?.();
        const consumer = await this.js.consumers.get(this.stream, this.consumerName);
        this.messages = await consumer.consume({ max_messages: this.concurrency, expires: 10_000 });
        for await (const message of this.messages) {
          if (!this.running) {
            // Buffered but not started: hand it back now instead of after the ack wait.
            message.nak();
            continue;
          }
          while (this.inFlight.size >= this.concurrency) await this.slotFreed.sleep(1000);
          this.dispatch(message);
          this.consecutiveErrors = 0;
        }
      } catch (error) {
        if (!this.running) break;
        this.consecutiveErrors += 1;
        if (this.consecutiveErrors % 10 === 1) {
          this.logger.warn(`${this.consumerName}: consuming failed: ${errorText(error)} (retrying)`);
        }
        await this.stopSignal.sleep(retryDelay(this.consecutiveErrors, 200, 5000));
      }
    }
  }

  private dispatch(message: JsMsg): void {
    const key = aggregateKey(message);
    const previous = this.aggregateTails.get(key) ?? Promise.resolve();
    this.held.add(message);
    const task: Promise<void> = previous
      .then(() => this.handle(message))
      .finally(() => {
        this.held.delete(message);
        this.inFlight.delete(task);
        if (this.aggregateTails.get(key) === task) this.aggregateTails.delete(key);
        this.slotFreed.wake();
      });
    this.aggregateTails.set(key, task);
    this.inFlight.add(task);
  }

  private async handle(message: JsMsg): Promise<void> {
    try {
      await this.processor.process(message);
    } catch (error) {
      // The database failed outside a handler (reading a position, writing a dead letter).
      this.logger.warn(`${this.consumerName}: message ${message.seq} not processed: ${errorText(error)}`);
      message.nak(retryDelay(message.info.deliveryCount, 500, 10_000));
    }
  }
}

function aggregateKey(message: JsMsg): string {
  const type = message.headers?.get(EVENT_HEADERS.aggregateType);
  const id = message.headers?.get(EVENT_HEADERS.aggregateId);
  return type && id ? `${type}\u0000${id}` : `sequence:${message.seq}`;
}
