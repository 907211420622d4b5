import { inTransaction, NotFoundError, parseInput, type Tx, hydrate, queryRows } from '@plue/db';
import { isIP } from 'node:net';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { AuthSession } from './entities/auth-session.entity';
import type { User } from './entities/user.entity';
import { idSchema, parseId } from './input-schemas';
import { digestsEqual, generateSecret, SECRET_PATTERN, sha256Hex } from './secrets';

export interface AuthSessionLifetimes {
  /** A session not refreshed for this long expires. */
  idleTimeoutSeconds: number;
  /** No refresh extends a session beyond this long after its creation. */
  maxLifetimeSeconds: number;
}

export const DEFAULT_AUTH_SESSION_LIFETIMES: AuthSessionLifetimes = {
  idleTimeoutSeconds: 14 * 24 * 60 * 60,
  maxLifetimeSeconds: 30 * 24 * 60 * 60,
};

const USER_AGENT_MAX_LENGTH = 512;

const createSessionSchema = z.strictObject({
  // Clients choose their user agent: a long one is cut rather than refused, so it cannot block sign-in.
  userAgent: z
    .string()
    .transform((value) => [...value.replaceAll('\u0000', '')].slice(0, USER_AGENT_MAX_LENGTH).join(''))
    .optional(),
  ip: z
    .string()
    .refine((value) => isIP(value) !== 0, 'must be an IPv4 or IPv6 address')
    .optional(),
});
export type CreateAuthSessionData = z.input<typeof createSessionSchema>;

export interface CreatedAuthSession {
  session: AuthSession;
  /** The cookie value: returned here once; the database keeps only its SHA-256. */
  cookieValue: string;
}

/**
 * Cookie sessions. The cookie value is 256 random bits; `session_key` holds its SHA-256, so a leaked
 * table does not leak sessions. Sessions slide: `refresh` pushes expiry out by the idle timeout,
 * never beyond the maximum lifetime counted from creation.
 */
export class AuthSessionsDao {
  private readonly lifetimes: AuthSessionLifetimes;

  constructor(
    private readonly db: DataSource,
    lifetimes: Partial<AuthSessionLifetimes> = {},
  ) {
    this.lifetimes = parseInput(
      z
        .strictObject({
          idleTimeoutSeconds: z.number().int().positive(),
          maxLifetimeSeconds: z.number().int().positive(),
        })
        .refine((value) => value.idleTimeoutSeconds <= value.maxLifetimeSeconds, {
          message: 'the idle timeout cannot exceed the maximum lifetime',
          path: ['idleTimeoutSeconds'],
        }),
      { ...DEFAULT_AUTH_SESSION_LIFETIMES, ...lifetimes },
    );
  }

  async create(userId: number, data: CreateAuthSessionData = {}, tx?: Tx): Promise<CreatedAuthSession> {
    const owner = parseId(userId, 'userId');
    const input = parseInput(createSessionSchema, data);
    const cookieValue = generateSecret();
    return inTransaction(tx ?? this.db, async (manager) => {
      const rows = await queryRows(
        manager,
        `INSERT INTO auth_sessions (session_key, user_id, expires_at, user_agent, ip)
         VALUES ($1, $2, now() + make_interval(secs => $3), $4, $5)
         RETURNING *`,
        [sha256Hex(cookieValue), owner, this.lifetimes.idleTimeoutSeconds, input.userAgent ?? null, input.ip ?? null],
      );
      return { session: hydrate(manager, AuthSession, rows[0]), cookieValue };
    });
  }

  /**
   * The live session for this cookie value with its user, or null: unknown or malformed cookie,
   * expired session, user deactivated or barred from signing in.
   */
  async getByCookie(cookieValue: string, tx?: Tx): Promise<(AuthSession & { user: User }) | null> {
    const candidate = parseInput(z.string(), cookieValue);
    if (!SECRET_PATTERN.test(candidate)) return null;
    const sessionKey = sha256Hex(candidate);
    const session = await (tx ?? this.db.manager)
      .createQueryBuilder(AuthSession, 'session')
      .addSelect('session.sessionKey')
      .innerJoinAndSelect('session.user', 'user')
      .where('session.sessionKey = :sessionKey', { sessionKey })
      .andWhere('session.expiresAt > now()')
      .andWhere('user.isActive AND NOT user.prohibitLogin')
      .getOne();
    if (!session?.user || !digestsEqual(session.sessionKey ?? '', sessionKey)) return null;
    delete session.sessionKey;
    return session as AuthSession & { user: User };
  }

  /**
   * Slides a live session's expiry to now + idle timeout, capped at creation + maximum lifetime,
   * and records `last_seen_at`. Null when the session is unknown, expired or at its maximum age.
   */
  async refresh(cookieValue: string, tx?: Tx): Promise<AuthSession | null> {
    const candidate = parseInput(z.string(), cookieValue);
    if (!SECRET_PATTERN.test(candidate)) return null;
    return inTransaction(tx ?? this.db, async (manager) => {
      const rows = await queryRows(
        manager,
        `UPDATE auth_sessions
            SET expires_at = least(now() + make_interval(secs => $2), created_at + make_interval(secs => $3)),
                last_seen_at = now()
          WHERE session_key = $1
            AND expires_at > now()
            AND created_at + make_interval(secs => $3) > now()
          RETURNING *`,
        [sha256Hex(candidate), this.lifetimes.idleTimeoutSeconds, this.lifetimes.maxLifetimeSeconds],
      );
      return rows.length > 0 ? hydrate(manager, AuthSession, rows[0]) : null;
    });
  }

  /** The user's live sessions (for "where you are signed in"), most recently seen first. */
  async listForUser(userId: number, tx?: Tx): Promise<AuthSession[]> {
    const owner = parseId(userId, 'userId');
    return (tx ?? this.db.manager)
      .createQueryBuilder(AuthSession, 'session')
      .where('session.userId = :owner', { owner })
      .andWhere('session.expiresAt > now()')
      .orderBy('session.lastSeenAt', 'DESC')
      .addOrderBy('session.id', 'DESC')
      .getMany();
  }

  /** Signs out the session holding this cookie value; false when there was none. */
  async revokeByCookie(cookieValue: string, tx?: Tx): Promise<boolean> {
    const candidate = parseInput(z.string(), cookieValue);
    if (!SECRET_PATTERN.test(candidate)) return false;
    return inTransaction(tx ?? this.db, async (manager) => {
      const { affected } = await manager.delete(AuthSession, { sessionKey: sha256Hex(candidate) });
      return (affected ?? 0) > 0;
    });
  }

  /** Ends one of the user's sessions; NotFoundError when the user has no such session. */
  async revoke(userId: number, sessionId: number, tx?: Tx): Promise<void> {
    const owner = parseId(userId, 'userId');
    const id = parseId(sessionId, 'sessionId');
    await inTransaction(tx ?? this.db, async (manager) => {
      const { affected } = await manager.delete(AuthSession, { id, userId: owner });
      if (!affected) throw new NotFoundError(`user ${owner} has no session ${id}`, { field: 'id' });
    });
  }

  /** Ends every session of the user except, optionally, the current one; returns how many ended. */
  async revokeAllForUser(userId: number, options: { exceptSessionId?: number } = {}, tx?: Tx): Promise<number> {
    const owner = parseId(userId, 'userId');
    const { exceptSessionId } = parseInput(z.strictObject({ exceptSessionId: idSchema.optional() }), options);
    return inTransaction(tx ?? this.db, async (manager) => {
      const rows = await queryRows(
        manager,
        'DELETE FROM auth_sessions WHERE user_id = $1 AND id IS DISTINCT FROM $2 RETURNING id',
        [owner, exceptSessionId ?? null],
      );
      return rows.length;
    });
  }

  /** Deletes expired sessions (housekeeping); returns how many. */
  async deleteExpired(tx?: Tx): Promise<number> {
    return inTransaction(tx ?? this.db, async (manager) => {
      const rows = await queryRows(manager, 'DELETE FROM auth_sessions WHERE expires_at <= now() RETURNING id', []);
      return rows.length;
    });
  }
}
