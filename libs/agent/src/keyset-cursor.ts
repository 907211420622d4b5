import { ValidationError } from '@plue/db';
import { z } from 'zod';

// Keyset pagination over (timestamp, id). The timestamp travels as text with microseconds, as
// PostgreSQL stores it (see cursorTimestampSql): a JavaScript Date keeps only milliseconds, and
// a cursor rounded to milliseconds would repeat or skip rows written within the same millisecond.

/** SQL giving a timestamptz column's cursor text, e.g. `2026-01-02T03:04:05.123456Z`. */
export function cursorTimestampSql(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

const cursorSchema = z.tuple([
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/)
    // Round-trips through Date only if every field is in range (no February 30th).
    .refine((at) => !Number.isNaN(Date.parse(at)) && new Date(at).toISOString().slice(0, 23) === at.slice(0, 23)),
  z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
]);

export interface KeysetPosition {
  at: string;
  id: number;
}

/** A page of a list: pass `nextCursor` back as `after` for the next page (null: no more rows). */
export interface Page<Item> {
  items: Item[];
  nextCursor: string | null;
}

export function encodeCursor(position: KeysetPosition): string {
  return Buffer.from(JSON.stringify([position.at, position.id])).toString('base64url');
}

export function decodeCursor(cursor: string, field = 'after'): KeysetPosition {
  try {
    const [at, id] = cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return { at, id };
  } catch {
    throw new ValidationError([{ field, message: 'is not a cursor returned by this list' }]);
  }
}
