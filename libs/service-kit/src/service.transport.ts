import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import type { JetStreamServer } from '@plue/messaging';
import type { RequestReplyServer } from './request-reply.server';

/**
 * A service's one Nest transport: `@MessagePattern` handlers go to core NATS request/reply (queue
 * group per service), `@EventPattern` handlers to the durable JetStream consumers. Nest gives a
 * microservice a single strategy; this one splits the handlers, so a service is one Nest
 * application with one container (one DataSource, one set of DAOs) whatever the message kind.
 */
export class ServiceTransport extends Server implements CustomTransportStrategy {
  // The JetStream consumer retries and dead-letters on handler errors, so they must reach it.
  override readonly propagatesEventHandlerErrors = true;

  constructor(
    readonly requests: RequestReplyServer,
    readonly events: JetStreamServer,
  ) {
    super();
  }

  override addHandler(
    pattern: unknown,
    callback: MessageHandler,
    isEventHandler = false,
    extras: Record<string, unknown> = {},
  ): void {
    (isEventHandler ? this.events : this.requests).addHandler(pattern, callback, isEventHandler, extras);
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    const listening = (server: { listen(callback: (error?: unknown) => void): unknown }) =>
      new Promise<void>((resolve, reject) =>
        server.listen((error?: unknown) => (error ? reject(error as Error) : resolve())),
      );
    try {
      // Consumers first: by the time requests arrive, the events they cause can be handled.
      await listening(this.events);
      await listening(this.requests);
      callback();
    } catch (error) {
      callback(error);
    }
  }

  /** Stops taking requests and events, then lets the ones in progress finish (each server waits). */
  async close(): Promise<void> {
    await Promise.all([this.requests.close(), this.events.close()]);
  }

  on(): never {
    throw new Error('ServiceTransport emits no status events; read the health endpoint instead');
  }

  unwrap<T>(): T {
    return this.requests.unwrap<T>();
  }
}
