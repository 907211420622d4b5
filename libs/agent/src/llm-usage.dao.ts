import { bigintToNumber, inTransaction, parseInput, type Tx, hydrate, queryRows } from '@plue/db';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { LlmUsage } from './entities/llm-usage.entity';
import { costUsdSchema, idSchema, tokenCountSchema } from './input-schemas';

const recordSchema = z.strictObject({
  userId: idSchema.optional(),
  sessionId: idSchema.optional(),
  messageId: idSchema.optional(),
  model: z.string().min(1).max(255),
  provider: z.string().min(1).max(255),
  inputTokens: tokenCountSchema.default(0),
  outputTokens: tokenCountSchema.default(0),
  costUsd: costUsdSchema.default('0'),
});
export type LlmUsageData = z.input<typeof recordSchema>;

const periodSchema = z
  .strictObject({ from: z.date(), to: z.date() })
  .refine((period) => period.from.getTime() < period.to.getTime(), 'from must be before to');
/** A half-open period [from, to). */
export type UsagePeriod = z.input<typeof periodSchema>;

export interface UsageTotals {
  calls: number;
  inputTokens: number;
  outputTokens: number;
  /** Exact decimal string, e.g. "1.250000". */
  costUsd: string;
}

/** LLM calls for accounting: one row per call, summed per user and period. */
export class LlmUsageDao {
  constructor(private readonly db: DataSource) {}

  async record(data: LlmUsageData, tx?: Tx): Promise<LlmUsage> {
    const input = parseInput(recordSchema, data);
    return inTransaction(tx ?? this.db, async (manager) => {
      const { raw } = await manager.createQueryBuilder().insert().into(LlmUsage).values(input).returning('*').execute();
      return hydrate(manager, LlmUsage, raw[0]);
    });
  }

  /** The user's calls, tokens and cost in [from, to) (served by the llm_usage(user_id, created_at) index). */
  async sumForUser(userId: number, period: UsagePeriod, tx?: Tx): Promise<UsageTotals> {
    const user = parseInput(idSchema, userId);
    const { from, to } = parseInput(periodSchema, period);
    const [totals] = await queryRows<{ calls: string; input_tokens: string; output_tokens: string; cost_usd: string }>(
      tx ?? this.db.manager,
      `SELECT count(*) AS calls,
              coalesce(sum(input_tokens), 0) AS input_tokens,
              coalesce(sum(output_tokens), 0) AS output_tokens,
              coalesce(sum(cost_usd), 0)::numeric(18,6)::text AS cost_usd
         FROM llm_usage
        WHERE user_id = $1 AND created_at >= $2 AND created_at < $3`,
      [user, from, to],
    );
    return {
      calls: bigintToNumber(totals.calls),
      inputTokens: bigintToNumber(totals.input_tokens),
      outputTokens: bigintToNumber(totals.output_tokens),
      costUsd: totals.cost_usd,
    };
  }
}
