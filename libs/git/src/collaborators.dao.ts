import { z } from 'zod';
import type { DataSource } from 'typeorm';
import { ConflictError, inTransaction, NotFoundError, parseInput, type Tx, hydrate } from '@plue/db';
import { Collaborator, type CollaboratorPermission } from './entities/collaborator.entity';
import { Repository } from './entities/repository.entity';
import { idSchema } from './git-names';
import { limitSchema, toPage, type Page } from './pagination';
import { effectivePermission } from './permissions';

const permissionSchema = z.enum(['read', 'write', 'admin']);

const grantSchema = z.object({ repoId: idSchema, userId: idSchema, permission: permissionSchema });

const listSchema = z.object({
  limit: limitSchema,
  /** `nextCursor` of the previous page: the user id of its last collaborator. */
  after: idSchema.optional(),
});
export type ListCollaboratorsOptions = z.input<typeof listSchema>;

/** Enough for every reviewer and the merger of a pull request (check_merge sends at most 3 × 1000 + 1). */
const userIdsSchema = z.array(idSchema).max(10_000);

export class CollaboratorsDao {
  constructor(private readonly db: DataSource) {}

  /**
   * Grants `permission` to `userId` on the repository, or changes the permission of an existing
   * collaborator. The owner cannot be a collaborator (an owner is always admin): ConflictError.
   */
  async add(repoId: number, userId: number, permission: CollaboratorPermission, tx?: Tx): Promise<Collaborator> {
    const data = parseInput(grantSchema, { repoId, userId, permission });
    return inTransaction(tx ?? this.db, async (manager) => {
      const repository = await manager.findOne(Repository, {
        where: { id: data.repoId },
        select: { id: true, userId: true },
      });
      if (!repository) throw new NotFoundError(`repository ${data.repoId} does not exist`, { field: 'repoId' });
      if (repository.userId === data.userId) {
        throw new ConflictError(
          'the owner of a repository cannot be added as a collaborator: the owner is always admin',
          {
            field: 'userId',
          },
        );
      }
      const rows = await manager.query(
        `INSERT INTO collaborators (repo_id, user_id, permission) VALUES ($1, $2, $3)
         ON CONFLICT (repo_id, user_id) DO UPDATE SET permission = EXCLUDED.permission
         RETURNING *`,
        [data.repoId, data.userId, data.permission],
      );
      return hydrate(manager, Collaborator, rows[0]);
    });
  }

  /** Changes the permission of an existing collaborator; NotFoundError if the user is not one. */
  async updatePermission(
    repoId: number,
    userId: number,
    permission: CollaboratorPermission,
    tx?: Tx,
  ): Promise<Collaborator> {
    const data = parseInput(grantSchema, { repoId, userId, permission });
    return inTransaction(tx ?? this.db, async (manager) => {
      // For UPDATE, TypeORM's query() answers [rows, affected count].
      const [rows] = await manager.query(
        'UPDATE collaborators SET permission = $3 WHERE repo_id = $1 AND user_id = $2 RETURNING *',
        [data.repoId, data.userId, data.permission],
      );
      const collaborator = rows[0] ? hydrate(manager, Collaborator, rows[0]) : undefined;
      if (!collaborator)
        throw new NotFoundError(`user ${userId} is not a collaborator of repository ${repoId}`, { field: 'userId' });
      return collaborator;
    });
  }

  /** Removes the collaborator; returns false when the user was not one. */
  async remove(repoId: number, userId: number, tx?: Tx): Promise<boolean> {
    parseInput(idSchema, repoId);
    parseInput(idSchema, userId);
    return inTransaction(tx ?? this.db, async (manager) => {
      const result = await manager.delete(Collaborator, { repoId, userId });
      return (result.affected ?? 0) > 0;
    });
  }

  /** The collaborators of a repository ordered by user id, one page at a time. */
  async list(repoId: number, options: ListCollaboratorsOptions = {}, tx?: Tx): Promise<Page<Collaborator, number>> {
    parseInput(idSchema, repoId);
    const { limit, after } = parseInput(listSchema, options);
    const query = (tx ?? this.db.manager)
      .createQueryBuilder(Collaborator, 'c')
      .where('c.repo_id = :repoId', { repoId })
      .orderBy('c.user_id')
      .limit(limit + 1);
    if (after !== undefined) query.andWhere('c.user_id > :after', { after });
    return toPage(await query.getMany(), limit, (collaborator) => collaborator.userId);
  }

  /**
   * What `userId` (null: anonymous) may do on the repository (see `effectivePermission`: owner
   * admin, collaborators as granted, public repositories readable by all); null means no access.
   * NotFoundError when the repository does not exist.
   */
  async permissionOf(repoId: number, userId: number | null, tx?: Tx): Promise<CollaboratorPermission | null> {
    parseInput(idSchema, repoId);
    parseInput(idSchema.nullable(), userId);
    const rows: { user_id: string; is_public: boolean; permission: CollaboratorPermission | null }[] = await (
      tx ?? this.db.manager
    ).query(
      `SELECT r.user_id, r.is_public, c.permission
         FROM repositories r
         LEFT JOIN collaborators c ON c.repo_id = r.id AND c.user_id = $2
        WHERE r.id = $1`,
      [repoId, userId],
    );
    const row = rows[0];
    if (!row) throw new NotFoundError(`repository ${repoId} does not exist`, { field: 'repoId' });
    return effectivePermission(
      { ownerId: Number(row.user_id), isPublic: row.is_public, collaboratorPermission: row.permission },
      userId,
    );
  }

  /**
   * `permissionOf` for many users at once, in one query: each distinct id of `userIds` mapped to
   * its permission (null: no access). NotFoundError when the repository does not exist.
   */
  async permissionsOf(
    repoId: number,
    userIds: readonly number[],
    tx?: Tx,
  ): Promise<Map<number, CollaboratorPermission | null>> {
    parseInput(idSchema, repoId);
    const ids = [...new Set(parseInput(userIdsSchema, userIds))];
    // The LEFT JOIN keeps the repository's row when `ids` is empty, so "no such repository" stays
    // distinguishable from "nobody asked about".
    const rows: {
      owner_id: string;
      is_public: boolean;
      user_id: string | null;
      permission: CollaboratorPermission | null;
    }[] = await (tx ?? this.db.manager).query(
      `SELECT r.user_id AS owner_id, r.is_public, u.user_id, c.permission
         FROM repositories r
         LEFT JOIN unnest($2::bigint[]) AS u(user_id) ON true
         LEFT JOIN collaborators c ON c.repo_id = r.id AND c.user_id = u.user_id
        WHERE r.id = $1`,
      [repoId, ids],
    );
    if (rows.length === 0) throw new NotFoundError(`repository ${repoId} does not exist`, { field: 'repoId' });
    const permissions = new Map<number, CollaboratorPermission | null>();
    for (const row of rows) {
      if (row.user_id === null) continue;
      const userId = Number(row.user_id);
      const facts = { ownerId: Number(row.owner_id), isPublic: row.is_public, collaboratorPermission: row.permission };
      permissions.set(userId, effectivePermission(facts, userId));
    }
    return permissions;
  }
}
