import { z } from 'zod';
import type { DataSource } from 'typeorm';
import { inTransaction, parseInput, type Tx } from '@plue/db';
import { Star } from './entities/star.entity';
import { idSchema } from './git-names';
import { limitSchema, toPage, type Page } from './pagination';

const pairSchema = z.object({ userId: idSchema, repoId: idSchema });

const listSchema = z.object({
  limit: limitSchema,
  /** `nextCursor` of the previous page: the last id of that page (user id or repository id). */
  after: idSchema.optional(),
});
export type ListStarsOptions = z.input<typeof listSchema>;

export class StarsDao {
  constructor(private readonly db: DataSource) {}

  /** Stars the repository; starring twice changes nothing. Returns true when the star is new. */
  async star(userId: number, repoId: number, tx?: Tx): Promise<boolean> {
    const data = parseInput(pairSchema, { userId, repoId });
    return inTransaction(tx ?? this.db, async (manager) => {
      const rows = await manager.query(
        'INSERT INTO stars (user_id, repo_id) VALUES ($1, $2) ON CONFLICT (user_id, repo_id) DO NOTHING RETURNING user_id',
        [data.userId, data.repoId],
      );
      return rows.length === 1;
    });
  }

  /** Removes the star; unstarring twice changes nothing. Returns true when a star was removed. */
  async unstar(userId: number, repoId: number, tx?: Tx): Promise<boolean> {
    const data = parseInput(pairSchema, { userId, repoId });
    return inTransaction(tx ?? this.db, async (manager) => {
      const result = await manager.delete(Star, data);
      return (result.affected ?? 0) > 0;
    });
  }

  hasStarred(userId: number, repoId: number, tx?: Tx): Promise<boolean> {
    const data = parseInput(pairSchema, { userId, repoId });
    return (tx ?? this.db.manager).existsBy(Star, data);
  }

  count(repoId: number, tx?: Tx): Promise<number> {
    parseInput(idSchema, repoId);
    return (tx ?? this.db.manager).countBy(Star, { repoId });
  }

  /** Who starred the repository, ordered by user id, one page at a time. */
  async listStargazers(repoId: number, options: ListStarsOptions = {}, tx?: Tx): Promise<Page<Star, number>> {
    parseInput(idSchema, repoId);
    const { limit, after } = parseInput(listSchema, options);
    const query = (tx ?? this.db.manager)
      .createQueryBuilder(Star, 's')
      .where('s.repo_id = :repoId', { repoId })
      .orderBy('s.user_id')
      .limit(limit + 1);
    if (after !== undefined) query.andWhere('s.user_id > :after', { after });
    return toPage(await query.getMany(), limit, (star) => star.userId);
  }

  /** What the user starred, ordered by repository id, one page at a time. */
  async listStarred(userId: number, options: ListStarsOptions = {}, tx?: Tx): Promise<Page<Star, number>> {
    parseInput(idSchema, userId);
    const { limit, after } = parseInput(listSchema, options);
    const query = (tx ?? this.db.manager)
      .createQueryBuilder(Star, 's')
      .where('s.user_id = :userId', { userId })
      .orderBy('s.repo_id')
      .limit(limit + 1);
    if (after !== undefined) query.andWhere('s.repo_id > :after', { after });
    return toPage(await query.getMany(), limit, (star) => star.repoId);
  }
}
