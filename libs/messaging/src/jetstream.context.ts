import type { JsMsg } from '@nats-io/jetstream';
import { BaseRpcContext } from '@nestjs/microservices';
import type { Tx } from '@plue/db';
import type { EventMetadata } from './event-envelope';

/**
 * The context of an `@EventPattern` handler on the JetStream transport: `tx` is the transaction
 * that also records the event in the inbox, so the handler's writes commit with it (or not at all).
 */
export class JetStreamContext extends BaseRpcContext<[EventMetadata, Tx, JsMsg]> {
  get event(): EventMetadata {
    return this.args[0];
  }

  get tx(): Tx {
    return this.args[1];
  }

  get message(): JsMsg {
    return this.args[2];
  }
}
