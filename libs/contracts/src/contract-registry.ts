import type { z } from 'zod';
import type { AnyEventContract, PayloadOf } from './event-contract';

export class UnknownEventError extends Error {
  readonly code = 'unknown_event';
  constructor(readonly subject: string) {
    super(`no event contract for subject "${subject}": declare it with defineEvent and add it to the registry`);
  }
}

/** A payload that fails its contract's schema; `issues` name each bad field. */
export class InvalidEventPayloadError extends Error {
  readonly code = 'invalid_event_payload';
  constructor(
    readonly subject: string,
    readonly issues: readonly z.core.$ZodIssue[],
  ) {
    super(
      `invalid ${subject} payload: ${issues.map((issue) => `${issue.path.join('.') || '(payload)'} ${issue.message}`).join('; ')}`,
    );
  }
}

/** The contracts a producer may emit and a consumer may handle; unknown subjects are errors. */
export class ContractRegistry<Contract extends AnyEventContract = AnyEventContract> {
  private readonly bySubject = new Map<string, Contract>();

  constructor(readonly contracts: readonly Contract[]) {
    for (const contract of contracts) {
      if (this.bySubject.has(contract.subject)) throw new Error(`event ${contract.subject} is declared twice`);
      this.bySubject.set(contract.subject, contract);
    }
  }

  get subjects(): Contract['subject'][] {
    return [...this.bySubject.keys()];
  }

  has(subject: string): subject is Contract['subject'] {
    return this.bySubject.has(subject);
  }

  get<Subject extends Contract['subject']>(subject: Subject): Extract<Contract, { subject: Subject }>;
  get(subject: string): Contract;
  get(subject: string): Contract {
    const contract = this.bySubject.get(subject);
    if (!contract) throw new UnknownEventError(subject);
    return contract;
  }

  /** The payload checked against the subject's schema (unknown keys dropped), or an error naming each field. */
  parse<Subject extends Contract['subject']>(
    subject: Subject,
    payload: unknown,
  ): PayloadOf<Extract<Contract, { subject: Subject }>> {
    const result = this.get(subject).payload.safeParse(payload);
    if (!result.success) throw new InvalidEventPayloadError(subject, result.error.issues);
    return result.data as PayloadOf<Extract<Contract, { subject: Subject }>>;
  }
}
