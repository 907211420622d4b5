import { z } from 'zod';
import type { DataSource } from 'typeorm';
import { inTransaction, parseInput, type Tx, hydrate } from '@plue/db';
import { Reaction, REACTION_CONTENTS, type ReactionContent, type ReactionTargetType } from './entities/reaction.entity';
import { rowsOf } from './result-rows';
import { idSchema } from './validation';

const targetSchema = z.object({
  targetType: z.enum(['issue', 'comment']),
  /** The row id: issues.id or comments.id, never an issue number. */
  targetId: idSchema,
});
const reactionSchema = targetSchema.extend({ userId: idSchema, content: z.enum(REACTION_CONTENTS) }).strict();
export type ReactionInput = z.input<typeof reactionSchema>;

export interface ReactionSummary {
  /** Count per content, for every content that has at least one reaction. */
  counts: Partial<Record<ReactionContent, number>>;
  total: number;
}

/**
 * Emoji reactions on issues and comments. `targetId` is always the row id of the target
 * (issues.id for 'issue', comments.id for 'comment'): an issue is never addressed by its number
 * here. A user reacts at most once per target and content.
 */
export class ReactionsDao {
  constructor(private readonly db: DataSource) {}

  /** Adds the reaction, or returns the existing one (`created: false`). MissingReferenceError for an unknown target. */
  async add(data: ReactionInput, tx?: Tx): Promise<{ reaction: Reaction; created: boolean }> {
    const input = parseInput(reactionSchema, data);
    return inTransaction(tx ?? this.db, async (manager) => {
      const [row] = rowsOf(
        await manager.query(
          `WITH added AS (
             INSERT INTO reactions (user_id, target_type, target_id, content) VALUES ($1, $2, $3, $4)
             ON CONFLICT ON CONSTRAINT reactions_target_type_target_id_user_id_content_key DO NOTHING
             RETURNING *, true AS created
           )
           SELECT * FROM added
           UNION ALL
           SELECT r.*, false FROM reactions r
            WHERE r.user_id = $1 AND r.target_type = $2 AND r.target_id = $3 AND r.content = $4 AND NOT EXISTS (SELECT FROM added)`,
          [input.userId, input.targetType, input.targetId, input.content],
        ),
      );
      if (row) return { reaction: hydrate(manager, Reaction, row), created: row.created === true };
      // A concurrent transaction added the same reaction after this statement's snapshot was taken.
      const existing = await manager.findOneByOrFail(Reaction, {
        userId: input.userId,
        targetType: input.targetType,
        targetId: input.targetId,
        content: input.content,
      });
      return { reaction: existing, created: false };
    });
  }

  /** Removes the user's reaction; false when there was none. */
  async remove(data: ReactionInput, tx?: Tx): Promise<boolean> {
    const input = parseInput(reactionSchema, data);
    return inTransaction(tx ?? this.db, async (manager) => {
      const deleted = rowsOf(
        await manager.query(
          'DELETE FROM reactions WHERE user_id = $1 AND target_type = $2 AND target_id = $3 AND content = $4 RETURNING id',
          [input.userId, input.targetType, input.targetId, input.content],
        ),
      );
      return deleted.length > 0;
    });
  }

  /** How many reactions of each content the target has. */
  async summary(targetType: ReactionTargetType, targetId: number, tx?: Tx): Promise<ReactionSummary> {
    const input = parseInput(targetSchema, { targetType, targetId });
    const rows = rowsOf(
      await (tx ?? this.db.manager).query(
        'SELECT content, count(*)::int AS count FROM reactions WHERE target_type = $1 AND target_id = $2 GROUP BY content',
        [input.targetType, input.targetId],
      ),
    );
    const counts: Partial<Record<ReactionContent, number>> = {};
    for (const row of rows) counts[row.content as ReactionContent] = Number(row.count);
    return { counts, total: rows.reduce((sum, row) => sum + Number(row.count), 0) };
  }

  /** The target's reactions, oldest first. */
  async list(targetType: ReactionTargetType, targetId: number, tx?: Tx): Promise<Reaction[]> {
    const input = parseInput(targetSchema, { targetType, targetId });
    return (tx ?? this.db.manager).find(Reaction, { where: input, order: { id: 'ASC' } });
  }
}
