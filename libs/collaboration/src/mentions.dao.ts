import { z } from 'zod';
import type { DataSource } from 'typeorm';
import { inTransaction, parseInput, type Tx, hydrate } from '@plue/db';
import { Mention, type MentionTargetType } from './entities/mention.entity';
import { rowsOf } from './result-rows';
import { parseMentions } from './mentions';
import { idSchema } from './validation';

const targetSchema = z.object({ targetType: z.enum(['issue', 'comment']), targetId: idSchema });

export interface MentionSync {
  /** Users mentioned now who were not mentioned before (whom to notify). */
  addedUserIds: number[];
  /** Users no longer mentioned (their mention rows were deleted). */
  removedUserIds: number[];
}

/** A mention of a user, with the issue its text is on (addressed as users see it). */
export interface UserMention {
  mention: Mention;
  repoId: number;
  issueNumber: number;
}

/** @-mentions of users in issue bodies and comments: one row per target and user. */
export class MentionsDao {
  constructor(private readonly db: DataSource) {}

  /**
   * Makes the mentions of a target equal to the users `text` mentions (existing users only, matched
   * case-insensitively): new ones inserted once, vanished ones deleted. One statement.
   */
  async sync(targetType: MentionTargetType, targetId: number, text: string, tx?: Tx): Promise<MentionSync> {
    const target = parseInput(targetSchema, { targetType, targetId });
    const usernames = parseMentions(text);
    return inTransaction(tx ?? this.db, async (manager) => {
      const rows = rowsOf(
        await manager.query(
          `WITH mentioned AS (
             SELECT id FROM users WHERE lower(username) = ANY($3::text[])
           ), removed AS (
             DELETE FROM mentions
              WHERE target_type = $1 AND target_id = $2 AND user_id NOT IN (SELECT id FROM mentioned)
             RETURNING user_id
           ), added AS (
             INSERT INTO mentions (target_type, target_id, user_id)
             SELECT $1, $2, id FROM mentioned
             ON CONFLICT ON CONSTRAINT mentions_target_type_target_id_user_id_key DO NOTHING
             RETURNING user_id
           )
           SELECT 'added' AS change, user_id FROM added
           UNION ALL
           SELECT 'removed', user_id FROM removed`,
          [target.targetType, target.targetId, usernames],
        ),
      );
      const idsOf = (change: string) => rows.filter((row) => row.change === change).map((row) => Number(row.user_id));
      return { addedUserIds: idsOf('added'), removedUserIds: idsOf('removed') };
    });
  }

  /** Mentions of one target, oldest first. */
  async listForTarget(targetType: MentionTargetType, targetId: number, tx?: Tx): Promise<Mention[]> {
    const target = parseInput(targetSchema, { targetType, targetId });
    return (tx ?? this.db.manager).find(Mention, {
      where: { targetType: target.targetType, targetId: target.targetId },
      order: { id: 'ASC' },
    });
  }

  /**
   * The most recent mentions of a user (their "mentioned" inbox), each with the issue its text is on
   * (the comment's issue for a comment), so a client can go there.
   */
  async listForUser(userId: number, limit = 50, tx?: Tx): Promise<UserMention[]> {
    const input = parseInput(z.object({ userId: idSchema, limit: z.number().int().min(1).max(100) }), {
      userId,
      limit,
    });
    const manager = tx ?? this.db.manager;
    const rows = rowsOf(
      await manager.query(
        `SELECT m.*, i.repo_id AS issue_repo_id, i.issue_number AS issue_number
           FROM mentions m
           LEFT JOIN comments c ON m.target_type = 'comment' AND c.id = m.target_id
           JOIN issues i ON i.id = CASE m.target_type WHEN 'issue' THEN m.target_id ELSE c.issue_id END
          WHERE m.user_id = $1
          ORDER BY m.created_at DESC, m.id DESC
          LIMIT $2`,
        [input.userId, input.limit],
      ),
    );
    return rows.map((row) => ({
      mention: hydrate(manager, Mention, row),
      repoId: Number(row.issue_repo_id),
      issueNumber: Number(row.issue_number),
    }));
  }
}
