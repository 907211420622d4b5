import { ServerNats } from '@nestjs/microservices';
import type { NatsConnection, Subscription, SubscriptionOptions } from '@nats-io/transport-node';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';

export interface RequestReplyServerOptions {
  /** A connection this server owns: it drains and closes it on `close`. */
  connection: NatsConnection;
  /** The service name: every instance subscribes in this queue group, so each request goes to one. */
  queue: string;
  /** How long `close` waits for requests in progress before closing anyway. */
  drainTimeoutMs: number;
}

/**
 * Nest's NATS transport for request/reply, with a shutdown that loses no request: `close` first
 * stops the subscriptions (new requests go to other instances of the queue group), waits until the
 * requests in progress have replied, then drains the connection.
 */
export class RequestReplyServer extends ServerNats {
  private readonly subscriptionsToDrain: Subscription[] = [];
  private inProgress = 0;

  constructor(private readonly settings: RequestReplyServerOptions) {
    super({ queue: settings.queue });
    // Nest runs a request between these hooks; the end hook fires once its reply stream settled.
    this.setOnProcessingStartHook((_transport, _context, done) => {
      this.inProgress += 1;
      return done();
    });
    this.setOnProcessingEndHook(() => {
      this.inProgress -= 1;
    });
  }

  override async createNatsClient(): Promise<NatsConnection> {
    return this.settings.connection;
  }

  /** Keeps the subscriptions Nest creates, so `close` can stop them without closing the connection. */
  override bindEvents(connection: NatsConnection): void {
    super.bindEvents({
      subscribe: (subject: string, options: SubscriptionOptions) => {
        const subscription = connection.subscribe(subject, options);
        this.subscriptionsToDrain.push(subscription);
        return subscription;
      },
    });
  }

  override async close(): Promise<void> {
    const connection = this.settings.connection;
    if (connection.isClosed()) return;
    await Promise.all(this.subscriptionsToDrain.map((subscription) => subscription.drain()));
    // Requests delivered before the drain reach Nest's start hook after a deserialization step.
    await nextTurn();
    const deadline = Date.now() + this.settings.drainTimeoutMs;
    while (this.inProgress > 0 && Date.now() < deadline) await sleep(10);
    // Nest publishes a reply on the tick after its stream ends; let it go out before draining.
    await nextTurn();
    await connection.drain();
  }
}
