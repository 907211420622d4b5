import { z } from 'zod';

/** `plue.<domain>.<entity>.<past-verb>`, lowercase with underscores inside a token. */
export const EVENT_SUBJECT_PATTERN = /^plue\.[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$/;

/** What a domain event is: its subject, payload schema version, aggregate type and payload schema. */
export interface EventContract<
  Subject extends string = string,
  Payload extends z.ZodType<Record<string, unknown>> = z.ZodType<Record<string, unknown>>,
> {
  readonly subject: Subject;
  /** Payload schema version, carried in the `Plue-Schema-Version` header. Bumped on breaking changes. */
  readonly version: number;
  /** The kind of entity the event is about (`repository`, `issue`…); with an id it orders events. */
  readonly aggregateType: string;
  readonly payload: Payload;
}

export type AnyEventContract = EventContract<string, z.ZodType<Record<string, unknown>>>;

/** The payload type of a contract (what handlers receive and what `emit` accepts). */
export type PayloadOf<Contract extends AnyEventContract> = z.infer<Contract['payload']>;

export class InvalidContractError extends Error {}

/** Declares an event; the subject shape and the version are checked once, here. */
export function defineEvent<const Subject extends string, Payload extends z.ZodType<Record<string, unknown>>>(
  contract: EventContract<Subject, Payload>,
): EventContract<Subject, Payload> {
  if (!EVENT_SUBJECT_PATTERN.test(contract.subject)) {
    throw new InvalidContractError(
      `event subject "${contract.subject}" is not plue.<domain>.<entity>.<past-verb> (lowercase, underscores)`,
    );
  }
  if (!Number.isInteger(contract.version) || contract.version < 1) {
    throw new InvalidContractError(`event ${contract.subject}: version must be a positive integer`);
  }
  if (!/^[a-z][a-z0-9_]*$/.test(contract.aggregateType)) {
    throw new InvalidContractError(`event ${contract.subject}: aggregateType must be lowercase snake_case`);
  }
  return Object.freeze({ ...contract });
}
