import { z } from 'zod';
import type { DataSource } from 'typeorm';
import { inTransaction, NotFoundError, parseInput, ValidationError, type Tx, hydrate } from '@plue/db';
import { Repository } from './entities/repository.entity';
import { boundedText, gitRefNameSchema, idSchema } from './git-names';
import { limitSchema, toPage, type Page } from './pagination';
import { nameWithoutClash, repositoryNameSchema, topicsSchema } from './repository-names';

const descriptionSchema = boundedText(0, 1024).nullable();

const createSchema = z.object({
  ownerId: idSchema,
  name: repositoryNameSchema,
  description: descriptionSchema.optional(),
  isPublic: z.boolean().optional(),
  defaultBranch: gitRefNameSchema.optional(),
  topics: topicsSchema.optional(),
});
export type CreateRepositoryInput = z.input<typeof createSchema>;

const updateSchema = z
  .object({
    description: descriptionSchema.optional(),
    isPublic: z.boolean().optional(),
    defaultBranch: gitRefNameSchema.optional(),
    topics: topicsSchema.optional(),
  })
  .strict()
  .refine((patch) => Object.values(patch).some((value) => value !== undefined), 'nothing to update');
export type UpdateRepositoryInput = z.input<typeof updateSchema>;

const ownerSchema = z.union([idSchema, z.string().min(1).max(39)]);

const listSchema = z.object({
  limit: limitSchema,
  /** `nextCursor` of the previous page: the lowercase name of its last repository. */
  after: z.string().min(1).max(100).optional(),
  includePrivate: z.boolean().default(false),
});
export type ListRepositoriesOptions = z.input<typeof listSchema>;

const userWithRepositoriesSchema = z.object({
  username: z.string().min(1).max(39),
  includePrivate: z.boolean().default(false),
});

/** A user's public profile fields (no e-mail, wallet or account flags) and repository names. */
export interface UserWithRepositories {
  id: number;
  username: string;
  displayName: string | null;
  bio: string | null;
  avatarUrl: string | null;
  createdAt: Date;
  /** Names of the user's repositories, ordered case-insensitively. */
  repositories: string[];
}

export interface ReassignedRepository {
  id: number;
  oldName: string;
  newName: string;
}

type SettableColumns = Partial<
  Pick<Repository, 'description' | 'isPublic' | 'defaultBranch' | 'topics' | 'isArchived'>
>;

/** Advisory-lock namespace ("plue") under which hand-overs of repositories to one owner take turns. */
const OWNER_NAMESPACE_LOCK = 0x706c7565;

export class RepositoriesDao {
  constructor(private readonly db: DataSource) {}

  /** The repository, or null when there is none with this id. */
  getById(id: number, tx?: Tx): Promise<Repository | null> {
    parseInput(idSchema, id);
    return (tx ?? this.db.manager).findOneBy(Repository, { id });
  }

  /**
   * The repository named `name` (any case) of `owner`, given as a user id or a username (any
   * case: usernames are unique regardless of case). Null when there is none.
   */
  async getByOwnerAndName(owner: number | string, name: string, tx?: Tx): Promise<Repository | null> {
    parseInput(ownerSchema, owner);
    parseInput(z.string().min(1).max(100), name);
    const query = (tx ?? this.db.manager)
      .createQueryBuilder(Repository, 'r')
      .where('lower(r.name) = lower(:name)', { name });
    if (typeof owner === 'number') query.andWhere('r.user_id = :owner', { owner });
    else query.innerJoin('users', 'u', 'u.id = r.user_id').andWhere('lower(u.username) = lower(:owner)', { owner });
    return query.getOne();
  }

  /**
   * Creates a repository. A name the owner already uses (in any case) is a ConflictError naming
   * `repositories_user_id_lower_name_key`; an unknown owner a MissingReferenceError.
   */
  async create(input: CreateRepositoryInput, tx?: Tx): Promise<Repository> {
    const data = parseInput(createSchema, input);
    return inTransaction(tx ?? this.db, async (manager) => {
      const { ownerId, ...fields } = data;
      const inserted = await manager
        .createQueryBuilder()
        .insert()
        .into(Repository)
        .values({ ...fields, userId: ownerId })
        .returning('*')
        .execute();
      return hydrate(manager, Repository, inserted.raw[0]);
    });
  }

  /** Changes description, visibility, default branch or topics; NotFoundError if there is no such repository. */
  async update(id: number, patch: UpdateRepositoryInput, tx?: Tx): Promise<Repository> {
    parseInput(idSchema, id);
    const data = parseInput(updateSchema, patch);
    return this.updateColumns(id, data, tx);
  }

  /** Marks the repository archived (read-only for the service); idempotent. */
  archive(id: number, tx?: Tx): Promise<Repository> {
    parseInput(idSchema, id);
    return this.updateColumns(id, { isArchived: true }, tx);
  }

  unarchive(id: number, tx?: Tx): Promise<Repository> {
    parseInput(idSchema, id);
    return this.updateColumns(id, { isArchived: false }, tx);
  }

  /** Deletes the repository and, by cascade, everything that belongs to it; NotFoundError if absent. */
  async delete(id: number, tx?: Tx): Promise<void> {
    parseInput(idSchema, id);
    await inTransaction(tx ?? this.db, async (manager) => {
      const result = await manager.delete(Repository, { id });
      if (!result.affected) throw new NotFoundError(`repository ${id} does not exist`, { field: 'id' });
    });
  }

  /**
   * The repositories of an owner ordered by name (case-insensitively), one page at a time. Private
   * repositories are left out unless `includePrivate` is set.
   */
  async listByOwner(
    ownerId: number,
    options: ListRepositoriesOptions = {},
    tx?: Tx,
  ): Promise<Page<Repository, string>> {
    parseInput(idSchema, ownerId);
    const { limit, after, includePrivate } = parseInput(listSchema, options);
    const query = (tx ?? this.db.manager)
      .createQueryBuilder(Repository, 'r')
      .where('r.user_id = :ownerId', { ownerId })
      .orderBy('lower(r.name)')
      .limit(limit + 1);
    if (after !== undefined) query.andWhere('lower(r.name) > lower(:after)', { after });
    if (!includePrivate) query.andWhere('r.is_public');
    return toPage(await query.getMany(), limit, (repository) => repository.name.toLowerCase());
  }

  /**
   * The seed's "get user with repos" query: the user (by username, any case) with the names of
   * their repositories. Null when there is no such user. Reads auth's `users` table, on which
   * git-service has SELECT.
   */
  async getUserWithRepositories(
    username: string,
    options: { includePrivate?: boolean } = {},
    tx?: Tx,
  ): Promise<UserWithRepositories | null> {
    const data = parseInput(userWithRepositoriesSchema, { username, ...options });
    const rows: Record<string, unknown>[] = await (tx ?? this.db.manager).query(
      `SELECT u.id, u.username, u.display_name, u.bio, u.avatar_url, u.created_at,
              coalesce(array_agg(r.name ORDER BY lower(r.name)) FILTER (WHERE r.id IS NOT NULL), '{}') AS repos
         FROM users u
         LEFT JOIN repositories r ON r.user_id = u.id AND (r.is_public OR $2)
        WHERE lower(u.username) = lower($1)
        GROUP BY u.id`,
      [data.username, data.includePrivate],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      id: Number(row.id),
      username: row.username as string,
      displayName: row.display_name as string | null,
      bio: row.bio as string | null,
      avatarUrl: row.avatar_url as string | null,
      createdAt: row.created_at as Date,
      repositories: row.repos as string[],
    };
  }

  /**
   * Hands every repository of `fromUserId` to `toUserId` (DESIGN §4 flow 6: to the `ghost` user
   * before auth deletes the account), with the user's other "who did it" references in git's
   * tables (branch pushers and deleters, commit status creators). A name the new owner already
   * uses gets the smallest free `-<n>` suffix (see `nameWithoutClash`), repositories taken in id
   * order, so the outcome depends only on the data. Collaborator rows of the new owner on the
   * moved repositories are dropped: an owner is admin anyway.
   */
  async reassignOwner(fromUserId: number, toUserId: number, tx?: Tx): Promise<ReassignedRepository[]> {
    parseInput(idSchema, fromUserId);
    parseInput(idSchema, toUserId);
    if (fromUserId === toUserId) {
      throw new ValidationError([{ field: 'toUserId', message: 'must differ from fromUserId' }]);
    }
    return inTransaction(tx ?? this.db, async (manager) => {
      // Two users handed to the ghost at once would pick the same free suffix: one at a time.
      await manager.query('SELECT pg_advisory_xact_lock($1::int, hashtext($2::text))', [
        OWNER_NAMESPACE_LOCK,
        String(toUserId),
      ]);
      const moving = await manager
        .createQueryBuilder(Repository, 'r')
        .where('r.user_id = :fromUserId', { fromUserId })
        .orderBy('r.id')
        .setLock('for_no_key_update')
        .getMany();
      const existing: { name: string }[] = await manager.query(
        'SELECT lower(name) AS name FROM repositories WHERE user_id = $1',
        [toUserId],
      );
      const taken = new Set(existing.map((row) => row.name));
      const moved: ReassignedRepository[] = [];
      for (const repository of moving) {
        const newName = nameWithoutClash(repository.name, taken);
        taken.add(newName.toLowerCase());
        await manager.update(Repository, { id: repository.id }, { userId: toUserId, name: newName });
        moved.push({ id: repository.id, oldName: repository.name, newName });
      }
      const movedIds = moved.map((repository) => repository.id);
      await manager.query('DELETE FROM collaborators WHERE user_id = $1 AND repo_id = ANY($2::bigint[])', [
        toUserId,
        movedIds,
      ]);
      await manager.query('UPDATE branches SET pusher_id = $2 WHERE pusher_id = $1', [fromUserId, toUserId]);
      await manager.query('UPDATE branches SET deleted_by_id = $2 WHERE deleted_by_id = $1', [fromUserId, toUserId]);
      await manager.query('UPDATE commit_statuses SET creator_id = $2 WHERE creator_id = $1', [fromUserId, toUserId]);
      return moved;
    });
  }

  private updateColumns(id: number, columns: SettableColumns, tx?: Tx): Promise<Repository> {
    return inTransaction(tx ?? this.db, async (manager) => {
      const result = await manager
        .createQueryBuilder()
        .update(Repository)
        .set(columns)
        .where('id = :id', { id })
        .returning('*')
        .execute();
      const repository = result.raw[0] ? hydrate(manager, Repository, result.raw[0]) : undefined;
      if (!repository) throw new NotFoundError(`repository ${id} does not exist`, { field: 'id' });
      return repository;
    });
  }
}
