/**
 * Errors a DAO raises, whatever the database said. Services map `code` to RPC/HTTP errors; `field`
 * and `constraint` say what was wrong so a client can act on it.
 */
export type DomainErrorCode =
  | 'validation_failed'
  | 'not_found'
  | 'conflict'
  | 'missing_reference'
  | 'invalid_value'
  | 'unauthenticated'
  | 'precondition_failed'
  | 'unavailable';

export abstract class DomainError extends Error {
  abstract readonly code: DomainErrorCode;

  constructor(
    message: string,
    readonly details: { field?: string; constraint?: string; [key: string]: unknown } = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Input refused before it reached SQL: nothing was written. */
export class ValidationError extends DomainError {
  readonly code = 'validation_failed';

  constructor(readonly issues: { field: string; message: string }[]) {
    super(issues.map((issue) => `${issue.field}: ${issue.message}`).join('; '), { field: issues[0]?.field });
  }
}

export class NotFoundError extends DomainError {
  readonly code = 'not_found';
}

/** A unique key or a business rule that allows one of a kind (a second pin beyond the limit, ...). */
export class ConflictError extends DomainError {
  readonly code = 'conflict';
}

/** A foreign key points at a row that does not exist (or still has dependents when deleting). */
export class MissingReferenceError extends DomainError {
  readonly code = 'missing_reference';
}

/** A value the database refused: check constraint, not-null, out of range, malformed. */
export class InvalidValueError extends DomainError {
  readonly code = 'invalid_value';
}

/**
 * A credential that authenticates nobody. One message and no details whatever the reason
 * (malformed, unknown, expired, revoked, user deactivated or barred): a caller probing credentials
 * learns nothing more than "no".
 */
export class UnauthenticatedError extends DomainError {
  readonly code = 'unauthenticated';

  constructor(message = 'the credential is invalid, expired or revoked') {
    super(message);
  }
}

/**
 * The request is valid but a rule of the current state forbids it (a merge into a protected branch
 * whose rule is unmet). `details` says what is missing, so the caller can act and retry.
 */
export class PreconditionFailedError extends DomainError {
  readonly code = 'precondition_failed';
}

/**
 * Another service the request depends on did not answer (no responders, timeout, its own internal
 * error). Nothing was written: the request may be retried.
 */
export class UnavailableError extends DomainError {
  readonly code = 'unavailable';
}
