import { z } from 'zod';

/**
 * `plue.rpc.<domain>.<entity>.<verb>`. The `rpc` token keeps requests out of the event streams
 * (`plue.<domain>.>`): a stream captures every core publish on its subjects and would answer a
 * request with a JetStream acknowledgement.
 */
export const RPC_PATTERN_SHAPE = /^plue\.rpc\.[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$/;

/**
 * The codes an RPC error carries; `@plue/db` domain errors keep their own code. `unauthenticated`:
 * a credential (access token, …) that is unknown, expired, revoked or whose user may not sign in.
 * `precondition_failed`: a valid request the current state forbids (`details` says what is missing).
 * `unavailable`: a service the request depends on did not answer; nothing was written.
 */
export const RPC_ERROR_CODES = [
  'validation_failed',
  'not_found',
  'conflict',
  'missing_reference',
  'invalid_value',
  'unauthenticated',
  'precondition_failed',
  'unavailable',
  'internal',
] as const;
export type RpcErrorCode = (typeof RPC_ERROR_CODES)[number];

/** What a failed request gets back in the reply's `err` field: never a stack trace. */
export const rpcErrorSchema = z.object({
  code: z.enum(RPC_ERROR_CODES),
  message: z.string(),
  details: z.record(z.string(), z.unknown()),
});
export type RpcError = z.infer<typeof rpcErrorSchema>;

/** A request/reply pattern: its subject, request and reply schemas and the error codes it may return. */
export interface RpcContract<
  Pattern extends string = string,
  Request extends z.ZodType = z.ZodType,
  Reply extends z.ZodType = z.ZodType,
> {
  readonly pattern: Pattern;
  readonly request: Request;
  readonly reply: Reply;
  readonly errors: readonly RpcErrorCode[];
}

export type AnyRpcContract = RpcContract<string, z.ZodType, z.ZodType>;

/** What a caller sends (before defaults apply). */
export type RpcRequestOf<Contract extends AnyRpcContract> = z.input<Contract['request']>;
/** What a handler receives after validation (defaults applied). */
export type RpcParsedRequestOf<Contract extends AnyRpcContract> = z.output<Contract['request']>;
/** What a handler returns and a caller receives. */
export type RpcReplyOf<Contract extends AnyRpcContract> = z.input<Contract['reply']>;

export class InvalidRpcContractError extends Error {}

/** Declares a request/reply pattern; its subject shape is checked once, here. */
export function defineRpc<const Pattern extends string, Request extends z.ZodType, Reply extends z.ZodType>(
  contract: RpcContract<Pattern, Request, Reply>,
): RpcContract<Pattern, Request, Reply> {
  if (!RPC_PATTERN_SHAPE.test(contract.pattern)) {
    throw new InvalidRpcContractError(
      `RPC pattern "${contract.pattern}" is not plue.rpc.<domain>.<entity>.<verb> (lowercase, underscores)`,
    );
  }
  return Object.freeze({ ...contract, errors: [...new Set([...contract.errors, 'internal' as const])] });
}
