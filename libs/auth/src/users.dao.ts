import {
  ConflictError,
  hydrate,
  inTransaction,
  MissingReferenceError,
  NotFoundError,
  parseInput,
  type Tx,
} from '@plue/db';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { User } from './entities/user.entity';
import {
  avatarUrlSchema,
  emailSchema,
  parseId,
  textSchema,
  usernameSchema,
  walletAddressSchema,
} from './input-schemas';
import { GHOST_USERNAME, isValidUsername } from './usernames';

const profileFields = {
  email: emailSchema.nullable(),
  displayName: textSchema(255).nullable(),
  bio: textSchema(1024).nullable(),
  avatarUrl: avatarUrlSchema.nullable(),
};

const createUserSchema = z.strictObject({
  username: usernameSchema,
  walletAddress: walletAddressSchema.optional(),
  email: profileFields.email.optional(),
  displayName: profileFields.displayName.optional(),
  bio: profileFields.bio.optional(),
  avatarUrl: profileFields.avatarUrl.optional(),
  isAdmin: z.boolean().optional(),
});
export type CreateUserData = z.input<typeof createUserSchema>;

const updateUserSchema = z
  .strictObject({
    username: usernameSchema.optional(),
    walletAddress: walletAddressSchema.nullable().optional(),
    email: profileFields.email.optional(),
    displayName: profileFields.displayName.optional(),
    bio: profileFields.bio.optional(),
    avatarUrl: profileFields.avatarUrl.optional(),
    isAdmin: z.boolean().optional(),
  })
  .refine((data) => Object.values(data).some((value) => value !== undefined), 'names no field to change');
/** Fields to change; `null` clears an optional one. */
export type UpdateUserData = z.input<typeof updateUserSchema>;

/** A user whose deletion has begun, and the ghost account that inherits the user's content. */
export interface UserDeletion {
  user: User;
  ghost: User;
}

/**
 * What `deleteOnceHandedOver` found: the row is gone now (`deleted`), was gone already (`absent`),
 * or another domain still holds content of the user (`content_remains`, with the foreign key).
 */
export type HandOverDeletionOutcome =
  { outcome: 'deleted' } | { outcome: 'absent' } | { outcome: 'content_remains'; constraint: string | undefined };

/** Users: accounts, their login state and the reserved `ghost` account. */
export class UsersDao {
  constructor(private readonly db: DataSource) {}

  /** The user, or null when there is none. */
  async getById(id: number, tx?: Tx): Promise<User | null> {
    const userId = parseId(id, 'id');
    return (tx ?? this.db.manager).findOneBy(User, { id: userId });
  }

  /**
   * The user whose name equals `username` ignoring case (served by the lower(username) index), or
   * null. A string that is no valid username cannot name anybody and returns null without SQL.
   */
  async getByUsername(username: string, tx?: Tx): Promise<User | null> {
    const name = parseInput(z.string(), username);
    if (!isValidUsername(name)) return null;
    return (tx ?? this.db.manager)
      .createQueryBuilder(User, 'user')
      .where('lower(user.username) = lower(:name)', { name })
      .getOne();
  }

  /** The user signing in with this wallet (any letter case), or null. */
  async getByWalletAddress(walletAddress: string, tx?: Tx): Promise<User | null> {
    const address = parseInput(z.string(), walletAddress);
    if (!walletAddressSchema.safeParse(address).success) return null;
    return (tx ?? this.db.manager).findOneBy(User, { walletAddress: address.toLowerCase() });
  }

  /**
   * Creates a user. Refused before SQL: a malformed or reserved username, bad profile fields.
   * ConflictError when the name (any case), wallet address or e-mail is taken.
   */
  async create(data: CreateUserData, tx?: Tx): Promise<User> {
    const input = parseInput(createUserSchema, data);
    return inTransaction(tx ?? this.db, async (manager) => {
      const { raw } = await manager.createQueryBuilder().insert().into(User).values(input).returning('*').execute();
      return hydrate(manager, User, raw[0]);
    });
  }

  /**
   * Changes the given fields; NotFoundError when the user does not exist. A new username follows the
   * rules of create; the ghost account cannot be renamed (its name is how it is found).
   */
  async update(id: number, data: UpdateUserData, tx?: Tx): Promise<User> {
    const userId = parseId(id, 'id');
    const changes = parseInput(updateUserSchema, data);
    return inTransaction(tx ?? this.db, async (manager) => {
      const current = await this.lockedUser(manager, userId, 'for_no_key_update');
      if (changes.username !== undefined && isGhost(current) && changes.username !== current.username) {
        throw new ConflictError('the ghost account cannot be renamed', { field: 'username' });
      }
      return this.updateRow(manager, userId, withoutUndefined(changes));
    });
  }

  /** Records a successful sign-in (last_login_at = now()). */
  async recordLogin(id: number, tx?: Tx): Promise<User> {
    const userId = parseId(id, 'id');
    return inTransaction(tx ?? this.db, (manager) => this.updateRow(manager, userId, { lastLoginAt: () => 'now()' }));
  }

  /** Deactivates the account and ends its cookie sessions; its tokens stop authenticating. */
  async deactivate(id: number, tx?: Tx): Promise<User> {
    const userId = parseId(id, 'id');
    return inTransaction(tx ?? this.db, async (manager) => {
      const user = await this.updateRow(manager, userId, { isActive: false });
      await manager.query('DELETE FROM auth_sessions WHERE user_id = $1', [userId]);
      return user;
    });
  }

  async reactivate(id: number, tx?: Tx): Promise<User> {
    const userId = parseId(id, 'id');
    return inTransaction(tx ?? this.db, (manager) => this.updateRow(manager, userId, { isActive: true }));
  }

  /** Bars (or allows again) signing in; barring also ends the user's cookie sessions. */
  async setLoginProhibited(id: number, prohibited: boolean, tx?: Tx): Promise<User> {
    const userId = parseId(id, 'id');
    const prohibitLogin = parseInput(z.boolean(), prohibited);
    return inTransaction(tx ?? this.db, async (manager) => {
      const user = await this.updateRow(manager, userId, { prohibitLogin });
      if (prohibitLogin) await manager.query('DELETE FROM auth_sessions WHERE user_id = $1', [userId]);
      return user;
    });
  }

  /**
   * The reserved `ghost` account that inherits a deleted user's content, created on first use.
   * Safe under concurrency: racing callers all get the same row. It can never sign in.
   */
  async ensureGhostUser(tx?: Tx): Promise<User> {
    return inTransaction(tx ?? this.db, async (manager) => {
      await manager.query(
        `INSERT INTO users (username, display_name, prohibit_login) VALUES ($1, $2, true)
         ON CONFLICT ((lower(username))) DO NOTHING`,
        [GHOST_USERNAME, 'Deleted user'],
      );
      return manager
        .createQueryBuilder(User, 'user')
        .where('lower(user.username) = :name', { name: GHOST_USERNAME })
        .getOneOrFail();
    });
  }

  /**
   * Deletes the user with its e-mail addresses, sessions, tokens and SSH keys. Content in other
   * domains must have been handed to the ghost account first: while any remains, the foreign keys
   * refuse with MissingReferenceError naming the constraint. The ghost account itself is never
   * deleted (ConflictError).
   */
  async delete(id: number, tx?: Tx): Promise<void> {
    const userId = parseId(id, 'id');
    await inTransaction(tx ?? this.db, async (manager) => {
      const user = await this.lockedUser(manager, userId, 'pessimistic_write');
      if (isGhost(user)) throw new ConflictError('the ghost account cannot be deleted', { field: 'id' });
      await manager.query('DELETE FROM users WHERE id = $1', [userId]);
    });
  }

  /**
   * First step of deleting a user (DESIGN §4 flow 6): the account is deactivated and barred from
   * signing in, its cookie sessions, access tokens and SSH keys are deleted (no credential outlives
   * the request), and the ghost account is created if missing. The row itself stays until git and
   * collaboration have handed its content over (`deleteOnceHandedOver`). Asking again for a user
   * already being deleted changes nothing and returns the same pair. NotFoundError for an unknown
   * user, ConflictError for the ghost itself.
   */
  async beginDeletion(id: number, tx?: Tx): Promise<UserDeletion> {
    const userId = parseId(id, 'id');
    return inTransaction(tx ?? this.db, async (manager) => {
      const current = await this.lockedUser(manager, userId, 'for_no_key_update');
      if (isGhost(current)) throw new ConflictError('the ghost account cannot be deleted', { field: 'id' });
      const ghost = await this.ensureGhostUser(manager);
      const user =
        current.isActive || !current.prohibitLogin
          ? await this.updateRow(manager, userId, { isActive: false, prohibitLogin: true })
          : current;
      for (const table of CREDENTIAL_TABLES) {
        await manager.query(`DELETE FROM ${table} WHERE user_id = $1`, [userId]);
      }
      return { user, ghost };
    });
  }

  /**
   * Deletes the user if nothing blocks it any more, inside a savepoint so that the caller's
   * transaction survives a refusal: a RESTRICT foreign key still pointing at the user means a
   * domain has not handed its content over yet (`content_remains`), an absent row means an earlier
   * call deleted it (`absent`). Each domain's confirmation calls this; the last one deletes.
   */
  async deleteOnceHandedOver(id: number, tx?: Tx): Promise<HandOverDeletionOutcome> {
    const userId = parseId(id, 'id');
    return inTransaction(tx ?? this.db, async (manager) => {
      await manager.query('SAVEPOINT delete_once_handed_over');
      try {
        await this.delete(userId, manager);
      } catch (error) {
        await manager.query('ROLLBACK TO SAVEPOINT delete_once_handed_over');
        if (error instanceof NotFoundError) return { outcome: 'absent' };
        if (error instanceof MissingReferenceError) {
          return { outcome: 'content_remains', constraint: error.details.constraint };
        }
        throw error;
      }
      await manager.query('RELEASE SAVEPOINT delete_once_handed_over');
      return { outcome: 'deleted' };
    });
  }

  private async lockedUser(manager: Tx, id: number, lock: 'for_no_key_update' | 'pessimistic_write'): Promise<User> {
    const user = await manager.createQueryBuilder(User, 'user').where('user.id = :id', { id }).setLock(lock).getOne();
    if (!user) throw new NotFoundError(`user ${id} does not exist`, { field: 'id' });
    return user;
  }

  private async updateRow(manager: Tx, id: number, changes: Record<string, unknown>): Promise<User> {
    const { raw } = await manager
      .createQueryBuilder()
      .update(User)
      .set(changes)
      .where('id = :id', { id })
      .returning('*')
      .execute();
    if (raw.length === 0) throw new NotFoundError(`user ${id} does not exist`, { field: 'id' });
    return hydrate(manager, User, raw[0]);
  }
}

/** Tables holding a user's credentials: emptied as soon as the user's deletion begins. */
const CREDENTIAL_TABLES = ['auth_sessions', 'access_tokens', 'ssh_keys'] as const;

function isGhost(user: User): boolean {
  return user.username.toLowerCase() === GHOST_USERNAME;
}

function withoutUndefined(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined));
}
