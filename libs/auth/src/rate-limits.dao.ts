import { inTransaction, parseInput, type Tx, queryRows } from '@plue/db';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { textSchema } from './input-schemas';

const hitSchema = z.strictObject({
  key: textSchema(512).refine((value) => value !== '', 'must not be empty'),
  windowSeconds: z
    .number()
    .int()
    .min(1)
    .max(24 * 60 * 60),
  limit: z.number().int().min(1),
});

export interface RateLimitHit {
  /** Hits in the current window, this one included. */
  count: number;
  limit: number;
  /** Whether this hit is within the limit. */
  allowed: boolean;
  windowStart: Date;
  /** When the next window starts (for Retry-After / X-RateLimit-Reset). */
  resetAt: Date;
}

/**
 * Fixed-window rate limiting: one counter row per (key, window start), windows aligned to
 * multiples of the window length since the epoch. Counting is one upsert, so concurrent hits from
 * several service instances never lose a count.
 */
export class RateLimitsDao {
  constructor(private readonly db: DataSource) {}

  /** Counts one hit for `key` (e.g. `login:ip:203.0.113.7`) and says whether it is allowed. */
  async hit(key: string, windowSeconds: number, limit: number, tx?: Tx): Promise<RateLimitHit> {
    const input = parseInput(hitSchema, { key, windowSeconds, limit });
    return inTransaction(tx ?? this.db, async (manager) => {
      const [row] = await queryRows<{ count: number; window_start: Date }>(
        manager,
        `INSERT INTO rate_limits AS counter (key, window_start, count)
         VALUES ($1, to_timestamp(floor(extract(epoch FROM now()) / $2) * $2), 1)
         ON CONFLICT (key, window_start) DO UPDATE SET count = counter.count + 1
         RETURNING counter.count, counter.window_start`,
        [input.key, input.windowSeconds],
      );
      return {
        count: row.count,
        limit: input.limit,
        allowed: row.count <= input.limit,
        windowStart: row.window_start,
        resetAt: new Date(row.window_start.getTime() + input.windowSeconds * 1000),
      };
    });
  }

  /**
   * Deletes counters of windows that started more than `olderThanSeconds` ago (pass at least the
   * longest window in use); returns how many.
   */
  async deleteOldWindows(olderThanSeconds: number, tx?: Tx): Promise<number> {
    const age = parseInput(z.number().int().min(1), olderThanSeconds);
    return inTransaction(tx ?? this.db, async (manager) => {
      const rows = await queryRows(
        manager,
        'DELETE FROM rate_limits WHERE window_start < now() - make_interval(secs => $1) RETURNING key',
        [age],
      );
      return rows.length;
    });
  }
}
