import { headers, type NatsConnection } from '@nats-io/transport-node';
import {
  EVENT_HEADERS,
  rpcErrorSchema,
  type AnyRpcContract,
  type RpcError,
  type RpcReplyOf,
  type RpcRequestOf,
} from '@plue/contracts';
import { randomUUID } from 'node:crypto';
import { currentTraceparent } from './trace-context';

/** A structured error another service replied with (or `internal` for a reply that made no sense). */
export class RpcCallError extends Error {
  readonly code: RpcError['code'];
  readonly details: Record<string, unknown>;

  constructor(
    readonly pattern: string,
    error: RpcError,
  ) {
    super(`${pattern}: ${error.code}: ${error.message}`);
    this.name = 'RpcCallError';
    this.code = error.code;
    this.details = error.details;
  }
}

/**
 * Calls a request/reply pattern of another service over plain NATS, in the wire format of Nest's
 * NATS transport (`{ id, data }` → `{ id, response }` or `{ id, err }`), carrying the current
 * `traceparent`. The request is checked against the contract before it leaves (a bad one throws
 * `validation_failed` here, not after a round trip) and the reply after it arrives.
 */
export class RpcClient {
  constructor(
    private readonly connection: NatsConnection,
    private readonly timeoutMs = 10_000,
  ) {}

  async call<Contract extends AnyRpcContract>(
    contract: Contract,
    request: RpcRequestOf<Contract>,
  ): Promise<RpcReplyOf<Contract>> {
    const checked = contract.request.safeParse(request);
    if (!checked.success) {
      throw new RpcCallError(contract.pattern, {
        code: 'validation_failed',
        message: checked.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '),
        details: {},
      });
    }
    return this.send(contract, request);
  }

  /** Sends without checking the request first: for tests of the server's own validation. */
  async callUnchecked<Contract extends AnyRpcContract>(
    contract: Contract,
    request: unknown,
  ): Promise<RpcReplyOf<Contract>> {
    return this.send(contract, request);
  }

  private async send<Contract extends AnyRpcContract>(
    contract: Contract,
    request: unknown,
  ): Promise<RpcReplyOf<Contract>> {
    const messageHeaders = headers();
    const traceparent = currentTraceparent();
    if (traceparent) messageHeaders.set(EVENT_HEADERS.traceparent, traceparent);
    const message = await this.connection.request(
      contract.pattern,
      JSON.stringify({ id: randomUUID(), pattern: contract.pattern, data: request }),
      { timeout: this.timeoutMs, headers: messageHeaders },
    );
    const packet = message.json<{ response?: unknown; err?: unknown }>();
    if (packet.err !== undefined && packet.err !== null) {
      const error = rpcErrorSchema.safeParse(packet.err);
      throw new RpcCallError(
        contract.pattern,
        error.success ? error.data : { code: 'internal', message: JSON.stringify(packet.err), details: {} },
      );
    }
    const reply = contract.reply.safeParse(packet.response);
    if (!reply.success) {
      throw new RpcCallError(contract.pattern, {
        code: 'internal',
        message: `reply does not match the contract: ${reply.error.message}`,
        details: {},
      });
    }
    return packet.response as RpcReplyOf<Contract>;
  }
}
