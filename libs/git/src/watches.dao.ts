import { z } from 'zod';
import type { DataSource } from 'typeorm';
import { inTransaction, parseInput, type Tx, hydrate } from '@plue/db';
import { Watch, type WatchMode } from './entities/watch.entity';
import { idSchema } from './git-names';
import { limitSchema, toPage, type Page } from './pagination';

const pairSchema = z.object({ userId: idSchema, repoId: idSchema });
const watchSchema = pairSchema.extend({ mode: z.enum(['watching', 'participating', 'ignoring']).default('watching') });

const listSchema = z.object({
  limit: limitSchema,
  /** `nextCursor` of the previous page: the user id of its last watcher. */
  after: idSchema.optional(),
});
export type ListWatchersOptions = z.input<typeof listSchema>;

export class WatchesDao {
  constructor(private readonly db: DataSource) {}

  /** Watches the repository in `mode` (default `watching`), or changes the mode; idempotent. */
  async watch(userId: number, repoId: number, mode: WatchMode = 'watching', tx?: Tx): Promise<Watch> {
    const data = parseInput(watchSchema, { userId, repoId, mode });
    return inTransaction(tx ?? this.db, async (manager) => {
      const rows = await manager.query(
        `INSERT INTO watches (user_id, repo_id, mode) VALUES ($1, $2, $3)
         ON CONFLICT (user_id, repo_id) DO UPDATE SET mode = EXCLUDED.mode
         RETURNING *`,
        [data.userId, data.repoId, data.mode],
      );
      return hydrate(manager, Watch, rows[0]);
    });
  }

  /** Stops watching (back to the default); returns true when a watch was removed. */
  async unwatch(userId: number, repoId: number, tx?: Tx): Promise<boolean> {
    const data = parseInput(pairSchema, { userId, repoId });
    return inTransaction(tx ?? this.db, async (manager) => {
      const result = await manager.delete(Watch, data);
      return (result.affected ?? 0) > 0;
    });
  }

  /** The user's watch mode on the repository, or null when the user never chose one. */
  async modeOf(userId: number, repoId: number, tx?: Tx): Promise<WatchMode | null> {
    const data = parseInput(pairSchema, { userId, repoId });
    const watch = await (tx ?? this.db.manager).findOneBy(Watch, data);
    return watch?.mode ?? null;
  }

  /** How many users watch the repository (`ignoring` does not count). */
  countWatchers(repoId: number, tx?: Tx): Promise<number> {
    parseInput(idSchema, repoId);
    return (tx ?? this.db.manager)
      .createQueryBuilder(Watch, 'w')
      .where("w.repo_id = :repoId AND w.mode <> 'ignoring'", { repoId })
      .getCount();
  }

  /** Who watches the repository (not `ignoring`), ordered by user id, one page at a time. */
  async listWatchers(repoId: number, options: ListWatchersOptions = {}, tx?: Tx): Promise<Page<Watch, number>> {
    parseInput(idSchema, repoId);
    const { limit, after } = parseInput(listSchema, options);
    const query = (tx ?? this.db.manager)
      .createQueryBuilder(Watch, 'w')
      .where("w.repo_id = :repoId AND w.mode <> 'ignoring'", { repoId })
      .orderBy('w.user_id')
      .limit(limit + 1);
    if (after !== undefined) query.andWhere('w.user_id > :after', { after });
    return toPage(await query.getMany(), limit, (watch) => watch.userId);
  }
}
