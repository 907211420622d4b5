import {
  bigintToNumber,
  inTransaction,
  NotFoundError,
  parseInput,
  type Tx,
  hydrate,
  queryEntities,
  queryRows,
} from '@plue/db';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { Session, SESSION_STATUSES, type SessionStatus } from './entities/session.entity';
import { idSchema, limitSchema, tokenCountSchema } from './input-schemas';
import { cursorTimestampSql, decodeCursor, encodeCursor, type Page } from './keyset-cursor';
import { MessagesDao, newMessageSchema } from './messages.dao';

const titleSchema = z.string().max(255);

const createSchema = z.strictObject({
  userId: idSchema,
  repoId: idSchema.optional(),
  /** A sub-agent session: the parent must be one of the same user's sessions. */
  parentId: idSchema.optional(),
  workflowRunId: idSchema.optional(),
  directory: z.string().min(1).max(4096).optional(),
  title: titleSchema.optional(),
  model: z.string().min(1).max(255).optional(),
  /** Created in the same transaction as the session. */
  firstMessage: newMessageSchema.optional(),
});
export type CreateSessionData = z.input<typeof createSchema>;

const listSchema = z.strictObject({
  repoId: idSchema.optional(),
  /** Only the children of this session; by default only top-level sessions are listed. */
  parentId: idSchema.optional(),
  status: z.enum(SESSION_STATUSES).optional(),
  includeArchived: z.boolean().default(false),
  after: z.string().max(200).optional(),
  limit: limitSchema,
});
export type SessionListFilters = z.input<typeof listSchema>;

/**
 * Agent sessions. Every session belongs to a user, and every read for a caller is filtered by
 * that user: another user's session is "not found" (not "forbidden"), so ids do not leak whether a
 * session exists. (The origin had no owner column and listed everybody's sessions.)
 */
export class SessionsDao {
  private readonly messages: MessagesDao;

  constructor(private readonly db: DataSource) {
    this.messages = new MessagesDao(db);
  }

  /**
   * Creates a session, and its first message with parts when given, in one transaction.
   * The first message is returned in `session.messages`. NotFoundError when the parent session is
   * not one of the user's.
   */
  async create(data: CreateSessionData, tx?: Tx): Promise<Session> {
    const { firstMessage, ...input } = parseInput(createSchema, data);
    return inTransaction(tx ?? this.db, async (manager) => {
      if (input.parentId !== undefined) await this.getForUser(input.parentId, input.userId, manager);
      const { raw } = await manager.createQueryBuilder().insert().into(Session).values(input).returning('*').execute();
      const session = hydrate(manager, Session, raw[0]);
      session.messages = firstMessage ? [await this.messages.insert(session.id, firstMessage, manager)] : [];
      return session;
    });
  }

  /** The user's session; NotFoundError when it does not exist or belongs to someone else. */
  async getForUser(id: number, userId: number, tx?: Tx): Promise<Session> {
    const sessionId = parseInput(idSchema, id);
    const ownerId = parseInput(idSchema, userId);
    const session = await (tx ?? this.db.manager).findOneBy(Session, { id: sessionId, userId: ownerId });
    if (!session) throw new NotFoundError(`session ${sessionId} not found`, { field: 'id' });
    return session;
  }

  /**
   * A page of the user's sessions, most recently active first (updated_at, then id: keyset
   * pagination on the sessions(user_id, updated_at DESC) index). Archived sessions are left out
   * unless asked for; without parentId only top-level sessions are listed.
   */
  async listForUser(userId: number, filters: SessionListFilters = {}, tx?: Tx): Promise<Page<Session>> {
    const ownerId = parseInput(idSchema, userId);
    const { repoId, parentId, status, includeArchived, after, limit } = parseInput(listSchema, filters);
    const position = after === undefined ? null : decodeCursor(after);
    const manager = tx ?? this.db.manager;
    const rows = await queryRows<Record<string, unknown> & { cursor_at: string }>(
      manager,
      `SELECT s.*, ${cursorTimestampSql('s.updated_at')} AS cursor_at
         FROM sessions s
        WHERE s.user_id = $1
          AND ($2::bigint IS NULL OR s.repo_id = $2)
          AND (($3::bigint IS NULL AND s.parent_id IS NULL) OR s.parent_id = $3)
          AND ($4::text IS NULL OR s.status = $4)
          AND ($5 OR s.archived_at IS NULL)
          AND ($6::timestamptz IS NULL OR (s.updated_at, s.id) < ($6::timestamptz, $7::bigint))
        ORDER BY s.updated_at DESC, s.id DESC
        LIMIT $8`,
      [
        ownerId,
        repoId ?? null,
        parentId ?? null,
        status ?? null,
        includeArchived,
        position?.at ?? null,
        position?.id ?? null,
        limit + 1,
      ],
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((row) => hydrate(manager, Session, row)),
      nextCursor:
        rows.length > limit ? encodeCursor({ at: last.cursor_at, id: bigintToNumber(last.id as string) }) : null,
    };
  }

  /** Renames the user's session (null clears the title). */
  async updateTitle(id: number, userId: number, title: string | null, tx?: Tx): Promise<Session> {
    const newTitle = parseInput(titleSchema.nullable(), title);
    return this.updateOwned(id, userId, 'title = $3', [newTitle], tx);
  }

  /** Archives the user's session; archiving again keeps the first archived_at. */
  async archive(id: number, userId: number, tx?: Tx): Promise<Session> {
    return this.updateOwned(id, userId, 'archived_at = coalesce(archived_at, now())', [], tx);
  }

  async unarchive(id: number, userId: number, tx?: Tx): Promise<Session> {
    return this.updateOwned(id, userId, 'archived_at = NULL', [], tx);
  }

  async setStatus(id: number, userId: number, status: SessionStatus, tx?: Tx): Promise<Session> {
    const newStatus = parseInput(z.enum(SESSION_STATUSES), status);
    return this.updateOwned(id, userId, 'status = $3', [newStatus], tx);
  }

  /** Adds tokens to the session's running total in one statement, so concurrent adds all count. */
  async addTokenCount(id: number, tokens: number, tx?: Tx): Promise<Session> {
    const sessionId = parseInput(idSchema, id);
    const delta = parseInput(tokenCountSchema, tokens);
    return inTransaction(tx ?? this.db, async (manager) => {
      const [session] = await queryEntities(
        manager,
        Session,
        'UPDATE sessions SET token_count = token_count + $2 WHERE id = $1 RETURNING *',
        [sessionId, delta],
      );
      if (!session) throw new NotFoundError(`session ${sessionId} not found`, { field: 'id' });
      return session;
    });
  }

  private async updateOwned(
    id: number,
    userId: number,
    assignments: string,
    values: unknown[],
    tx?: Tx,
  ): Promise<Session> {
    const sessionId = parseInput(idSchema, id);
    const ownerId = parseInput(idSchema, userId);
    return inTransaction(tx ?? this.db, async (manager) => {
      const [session] = await queryEntities(
        manager,
        Session,
        `UPDATE sessions SET ${assignments} WHERE id = $1 AND user_id = $2 RETURNING *`,
        [sessionId, ownerId, ...values],
      );
      if (!session) throw new NotFoundError(`session ${sessionId} not found`, { field: 'id' });
      return session;
    });
  }
}
