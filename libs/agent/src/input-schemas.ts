import { z } from 'zod';

/** A row id (bigint identity, read as a number). */
export const idSchema = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

export const tokenCountSchema = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** US dollars: a number or a decimal string, kept as an exact decimal string for numeric(12,6). */
export const costUsdSchema = z
  .union([
    z.number().finite().nonnegative(),
    z.string().regex(/^\d{1,6}(\.\d{1,6})?$/, 'must be a decimal with at most 6 places'),
  ])
  .transform((value) => (typeof value === 'number' ? value.toFixed(6) : value))
  .refine((value) => Number(value) < 1_000_000, 'must be below 1000000 (numeric(12,6))');

/** Page size of keyset-paginated lists. */
export const limitSchema = z.number().int().min(1).max(100).default(20);
