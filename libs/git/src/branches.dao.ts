import { z } from 'zod';
import type { DataSource } from 'typeorm';
import { ConflictError, inTransaction, NotFoundError, parseInput, ValidationError, type Tx, hydrate } from '@plue/db';
import { Branch } from './entities/branch.entity';
import { Repository } from './entities/repository.entity';
import { commitShaSchema, gitRefNameSchema, idSchema } from './git-names';
import { limitSchema, toPage, type Page } from './pagination';

const pushSchema = z.object({
  repoId: idSchema,
  name: gitRefNameSchema,
  commitId: commitShaSchema,
  commitMessage: z.string().max(65536).nullable().default(null),
  commitTime: z.date().nullable().default(null),
  pusherId: idSchema.nullable().default(null),
});
export type BranchPushInput = z.input<typeof pushSchema>;

const listSchema = z.object({
  limit: limitSchema,
  /** `nextCursor` of the previous page: the name of its last branch. */
  after: z.string().min(1).max(255).optional(),
});
export type ListBranchesOptions = z.input<typeof listSchema>;

/** How many renames a lookup follows (a → b → c ...) before giving up: renames can form cycles. */
const MAX_RENAME_HOPS = 16;

export class BranchesDao {
  constructor(private readonly db: DataSource) {}

  /**
   * Records a push: creates the live branch `name` or moves it to the new commit, with the pusher
   * and commit time. A soft-deleted branch of that name stays deleted; the push creates a new one.
   * `created` tells which happened.
   */
  async upsertOnPush(input: BranchPushInput, tx?: Tx): Promise<{ branch: Branch; created: boolean }> {
    const data = parseInput(pushSchema, input);
    return inTransaction(tx ?? this.db, async (manager) => {
      const rows = await manager.query(
        `INSERT INTO branches (repo_id, name, commit_id, commit_message, commit_time, pusher_id)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (repo_id, name) WHERE NOT is_deleted DO UPDATE
            SET commit_id = EXCLUDED.commit_id, commit_message = EXCLUDED.commit_message,
                commit_time = EXCLUDED.commit_time, pusher_id = EXCLUDED.pusher_id
         RETURNING *, (xmax = 0) AS created`,
        [data.repoId, data.name, data.commitId, data.commitMessage, data.commitTime, data.pusherId],
      );
      return { branch: hydrate(manager, Branch, rows[0]), created: rows[0].created as boolean };
    });
  }

  /**
   * The live branch `name`. When no live branch has that name but a branch was renamed from it,
   * the lookup follows the renames (the latest rename of each name) to the live branch: compare
   * the result's `name` with the one asked for to see a redirect. Null when nothing resolves.
   */
  async get(repoId: number, name: string, tx?: Tx): Promise<Branch | null> {
    parseInput(idSchema, repoId);
    parseInput(z.string().min(1).max(255), name);
    const manager = tx ?? this.db.manager;
    const rows = await manager.query(
      `WITH RECURSIVE chain (name, depth) AS (
         SELECT $2::text, 0
         UNION ALL
         SELECT renamed.to_name, chain.depth + 1
           FROM chain
           JOIN LATERAL (SELECT rb.to_name FROM renamed_branches rb
                          WHERE rb.repo_id = $1 AND rb.from_name = chain.name
                          ORDER BY rb.id DESC LIMIT 1) renamed ON true
          WHERE chain.depth < $3
            AND NOT EXISTS (SELECT FROM branches b WHERE b.repo_id = $1 AND b.name = chain.name AND NOT b.is_deleted)
       )
       SELECT b.*
         FROM chain
         JOIN branches b ON b.repo_id = $1 AND b.name = chain.name AND NOT b.is_deleted
        ORDER BY chain.depth
        LIMIT 1`,
      [repoId, name, MAX_RENAME_HOPS],
    );
    return rows[0] ? hydrate(manager, Branch, rows[0]) : null;
  }

  /** The live branches of a repository ordered by name, one page at a time. */
  async listLive(repoId: number, options: ListBranchesOptions = {}, tx?: Tx): Promise<Page<Branch, string>> {
    parseInput(idSchema, repoId);
    const { limit, after } = parseInput(listSchema, options);
    const query = (tx ?? this.db.manager)
      .createQueryBuilder(Branch, 'b')
      .where('b.repo_id = :repoId AND NOT b.is_deleted', { repoId })
      .orderBy('b.name')
      .limit(limit + 1);
    if (after !== undefined) query.andWhere('b.name > :after', { after });
    return toPage(await query.getMany(), limit, (branch) => branch.name);
  }

  /**
   * Soft-deletes the live branch `name` (exact name: renames are not followed for writes). The
   * repository's default branch cannot be deleted (ConflictError); NotFoundError when there is no
   * live branch of that name.
   */
  async softDelete(repoId: number, name: string, deletedById: number | null, tx?: Tx): Promise<Branch> {
    parseInput(idSchema, repoId);
    parseInput(gitRefNameSchema, name);
    parseInput(idSchema.nullable(), deletedById);
    return inTransaction(tx ?? this.db, async (manager) => {
      const repository = await this.lockRepository(manager, repoId);
      if (repository.defaultBranch === name) {
        throw new ConflictError(`"${name}" is the default branch of the repository and cannot be deleted`, {
          field: 'name',
        });
      }
      const [rows] = await manager.query(
        `UPDATE branches SET is_deleted = true, deleted_at = now(), deleted_by_id = $3
          WHERE repo_id = $1 AND name = $2 AND NOT is_deleted
          RETURNING *`,
        [repoId, name, deletedById],
      );
      const branch = rows[0] ? hydrate(manager, Branch, rows[0]) : undefined;
      if (!branch) throw new NotFoundError(`branch "${name}" does not exist`, { field: 'name' });
      return branch;
    });
  }

  /**
   * Renames the live branch `from` to `to` and records the rename, so that lookups of `from`
   * resolve to the branch (see `get`). The repository's default branch and a protection rule named
   * exactly `from` follow the branch (the rule only if no rule is named `to` yet). A live branch
   * named `to` is a ConflictError naming `branches_repo_id_name_key`.
   */
  async rename(repoId: number, from: string, to: string, tx?: Tx): Promise<Branch> {
    parseInput(idSchema, repoId);
    parseInput(gitRefNameSchema, from);
    parseInput(gitRefNameSchema, to);
    if (from === to) throw new ValidationError([{ field: 'to', message: 'must differ from the current name' }]);
    return inTransaction(tx ?? this.db, async (manager) => {
      const repository = await this.lockRepository(manager, repoId);
      const [rows] = await manager.query(
        'UPDATE branches SET name = $3 WHERE repo_id = $1 AND name = $2 AND NOT is_deleted RETURNING *',
        [repoId, from, to],
      );
      const branch = rows[0] ? hydrate(manager, Branch, rows[0]) : undefined;
      if (!branch) throw new NotFoundError(`branch "${from}" does not exist`, { field: 'from' });
      await manager.query('INSERT INTO renamed_branches (repo_id, from_name, to_name) VALUES ($1, $2, $3)', [
        repoId,
        from,
        to,
      ]);
      if (repository.defaultBranch === from) await manager.update(Repository, { id: repoId }, { defaultBranch: to });
      await manager.query(
        `UPDATE protected_branches SET rule_name = $3
          WHERE repo_id = $1 AND rule_name = $2
            AND NOT EXISTS (SELECT FROM protected_branches WHERE repo_id = $1 AND rule_name = $3)`,
        [repoId, from, to],
      );
      return branch;
    });
  }

  /**
   * Locks the repository row (FOR NO KEY UPDATE: pushes and new issues, which only take key-share
   * locks on it, go on): branch deletions and renames of one repository take turns, so the
   * default-branch check and the default-branch update see a settled default branch.
   */
  private async lockRepository(manager: Tx, repoId: number): Promise<Repository> {
    const repository = await manager
      .createQueryBuilder(Repository, 'r')
      .where('r.id = :repoId', { repoId })
      .setLock('for_no_key_update')
      .getOne();
    if (!repository) throw new NotFoundError(`repository ${repoId} does not exist`, { field: 'repoId' });
    return repository;
  }
}
