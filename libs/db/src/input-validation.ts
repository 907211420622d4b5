import type { z } from 'zod';
import { ValidationError } from './domain-errors';

/**
 * Checks a DAO's (or a handler's) input against its schema before any SQL runs. The error names
 * every offending field by its path (`labels.2`, `filters.sort`).
 */
export function parseInput<Schema extends z.ZodType>(schema: Schema, input: unknown): z.output<Schema> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ValidationError(
    result.error.issues.map((issue) => ({
      field: issue.path.length ? issue.path.join('.') : '(input)',
      message: issue.message,
    })),
  );
}
