import { QueryFailedError } from 'typeorm';
import { ConflictError, InvalidValueError, MissingReferenceError } from './domain-errors';

interface PgError {
  code?: string;
  constraint?: string;
  column?: string;
  table?: string;
  detail?: string;
  message: string;
}

/** SQLSTATE classes that are the caller's fault, and the domain error each becomes. */
const BY_SQLSTATE: Record<string, new (message: string, details: Record<string, unknown>) => Error> = {
  '23505': ConflictError, // unique_violation
  '23P01': ConflictError, // exclusion_violation
  '23503': MissingReferenceError, // foreign_key_violation
  '23514': InvalidValueError, // check_violation
  '23502': InvalidValueError, // not_null_violation
  '22001': InvalidValueError, // string_data_right_truncation
  '22003': InvalidValueError, // numeric_value_out_of_range
  '22007': InvalidValueError, // invalid_datetime_format
  '22008': InvalidValueError, // datetime_field_overflow
  '22021': InvalidValueError, // character_not_in_repertoire (NUL in text)
  '22P05': InvalidValueError, // untranslatable_character (\u0000 in jsonb)
  '22P02': InvalidValueError, // invalid_text_representation
};

/**
 * Turns a PostgreSQL error into a typed domain error that names the constraint; anything else
 * (connection loss, serialization failure, bugs) is returned unchanged so it surfaces as a fault.
 */
export function toDomainError(error: unknown): unknown {
  const pg = pgErrorOf(error);
  const DomainErrorClass = pg?.code ? BY_SQLSTATE[pg.code] : undefined;
  if (!pg || !DomainErrorClass) return error;
  const details: Record<string, unknown> = { sqlstate: pg.code };
  if (pg.constraint) details.constraint = pg.constraint;
  if (pg.table) details.table = pg.table;
  if (pg.column) details.field = pg.column;
  const message = pg.constraint ? `${pg.message} (constraint ${pg.constraint})` : pg.message;
  return new DomainErrorClass(pg.detail ? `${message}: ${pg.detail}` : message, details);
}

function pgErrorOf(error: unknown): PgError | undefined {
  const candidate = error instanceof QueryFailedError ? error.driverError : error;
  if (candidate && typeof candidate === 'object' && 'code' in candidate && 'message' in candidate) {
    return candidate as PgError;
  }
  return undefined;
}
