import {
  bigintToNumber,
  ConflictError,
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
import { Message, MESSAGE_ROLES, MESSAGE_STATUSES, type MessageStatus } from './entities/message.entity';
import { costUsdSchema, idSchema, limitSchema, tokenCountSchema } from './input-schemas';
import { cursorTimestampSql, decodeCursor, encodeCursor, type Page } from './keyset-cursor';
import { partListSchema } from './message-parts';
import { FINISHED_MESSAGE_STATUSES, INITIAL_MESSAGE_STATUSES, messageStatusesBefore } from './message-status';
import { PartsDao } from './parts.dao';

export const newMessageSchema = z.strictObject({
  role: z.enum(MESSAGE_ROLES),
  status: z.enum(INITIAL_MESSAGE_STATUSES).default('pending'),
  model: z.string().min(1).max(255).optional(),
  parts: partListSchema().default([]),
});
export type NewMessage = z.input<typeof newMessageSchema>;

const appendSchema = newMessageSchema.extend({ sessionId: idSchema });
export type AppendMessageData = z.input<typeof appendSchema>;

const usageSchema = z
  .strictObject({
    inputTokens: tokenCountSchema.optional(),
    outputTokens: tokenCountSchema.optional(),
    reasoningTokens: tokenCountSchema.optional(),
    cacheReadTokens: tokenCountSchema.optional(),
    cacheWriteTokens: tokenCountSchema.optional(),
    costUsd: costUsdSchema.optional(),
  })
  .refine((usage) => Object.values(usage).some((value) => value !== undefined), 'names no counter to add');
/** Amounts to add to a message's counters (streamed responses report usage in pieces). */
export type MessageUsage = z.input<typeof usageSchema>;

const listSchema = z.strictObject({ after: z.string().max(200).optional(), limit: limitSchema });
export type MessageListOptions = z.input<typeof listSchema>;

/** Messages of agent sessions, each with its ordered parts (`message.parts`). */
export class MessagesDao {
  private readonly parts: PartsDao;

  constructor(private readonly db: DataSource) {
    this.parts = new PartsDao(db);
  }

  /**
   * Appends a message with its parts in one transaction and marks the session active (updated_at).
   * A message created `completed` (user and tool messages) gets its completed_at at once.
   * NotFoundError when the session does not exist.
   */
  async append(data: AppendMessageData, tx?: Tx): Promise<Message> {
    const { sessionId, ...message } = parseInput(appendSchema, data);
    return inTransaction(tx ?? this.db, (manager) => this.insert(sessionId, message, manager));
  }

  /** Inserts a validated message into a session; for callers already inside a transaction. */
  async insert(sessionId: number, message: z.output<typeof newMessageSchema>, tx: Tx): Promise<Message> {
    const touched = await queryRows(tx, 'UPDATE sessions SET updated_at = now() WHERE id = $1 RETURNING id', [
      sessionId,
    ]);
    if (touched.length === 0) throw new NotFoundError(`session ${sessionId} not found`, { field: 'sessionId' });
    const [row] = await queryRows(
      tx,
      `INSERT INTO messages (session_id, role, status, model, completed_at)
       VALUES ($1, $2, $3, $4, CASE WHEN $3 = ANY($5::text[]) THEN now() END)
       RETURNING *`,
      [sessionId, message.role, message.status, message.model ?? null, FINISHED_MESSAGE_STATUSES],
    );
    const created = hydrate(tx, Message, row);
    created.parts = await this.parts.insertRows(created.id, message.parts, tx);
    return created;
  }

  /** The message with its parts, or null. */
  async getById(id: number, tx?: Tx): Promise<Message | null> {
    const messageId = parseInput(idSchema, id);
    return inTransaction(tx ?? this.db, async (manager) => {
      const message = await manager.findOneBy(Message, { id: messageId });
      if (message) message.parts = await this.parts.listForMessages([message.id], manager);
      return message;
    });
  }

  /**
   * A page of a session's messages in the order they were written (created_at, then id: served by
   * the messages(session_id, created_at) index), each with its parts.
   */
  async listForSession(sessionId: number, options: MessageListOptions = {}, tx?: Tx): Promise<Page<Message>> {
    const session = parseInput(idSchema, sessionId);
    const { after, limit } = parseInput(listSchema, options);
    const position = after === undefined ? null : decodeCursor(after);
    return inTransaction(tx ?? this.db, async (manager) => {
      const rows = await queryRows<Record<string, unknown> & { cursor_at: string }>(
        manager,
        `SELECT m.*, ${cursorTimestampSql('m.created_at')} AS cursor_at
           FROM messages m
          WHERE m.session_id = $1
            AND ($2::timestamptz IS NULL OR (m.created_at, m.id) > ($2::timestamptz, $3::bigint))
          ORDER BY m.created_at, m.id
          LIMIT $4`,
        [session, position?.at ?? null, position?.id ?? null, limit + 1],
      );
      const page = rows.slice(0, limit);
      const messages = page.map((row) => hydrate(manager, Message, row));
      const parts = await this.parts.listForMessages(
        messages.map((message) => message.id),
        manager,
      );
      for (const message of messages) message.parts = parts.filter((part) => part.messageId === message.id);
      const last = page[page.length - 1];
      return {
        items: messages,
        nextCursor:
          rows.length > limit ? encodeCursor({ at: last.cursor_at, id: bigintToNumber(last.id as string) }) : null,
      };
    });
  }

  /**
   * Moves a message along pending → streaming → completed (or to failed / aborted before it
   * completes); finishing sets completed_at. ConflictError for any other transition, NotFoundError
   * when the message does not exist.
   */
  async updateStatus(id: number, status: MessageStatus, options: { error?: string } = {}, tx?: Tx): Promise<Message> {
    const messageId = parseInput(idSchema, id);
    const to = parseInput(z.enum(MESSAGE_STATUSES), status);
    const { error } = parseInput(z.strictObject({ error: z.string().max(65_536).optional() }), options);
    return inTransaction(tx ?? this.db, async (manager) => {
      const [updated] = await queryEntities(
        manager,
        Message,
        `UPDATE messages
            SET status = $2,
                completed_at = CASE WHEN $2 = ANY($4::text[]) THEN now() END,
                error = coalesce($5, error)
          WHERE id = $1 AND status = ANY($3::text[])
          RETURNING *`,
        [messageId, to, messageStatusesBefore(to), FINISHED_MESSAGE_STATUSES, error ?? null],
      );
      if (updated) return updated;
      const current = await manager.findOneBy(Message, { id: messageId });
      if (!current) throw new NotFoundError(`message ${messageId} not found`, { field: 'id' });
      throw new ConflictError(`message ${messageId} cannot go from ${current.status} to ${to}`, {
        field: 'status',
        from: current.status,
        to,
      });
    });
  }

  /** Adds to the message's token counters and cost atomically (concurrent adds all count). */
  async addUsage(id: number, usage: MessageUsage, tx?: Tx): Promise<Message> {
    const messageId = parseInput(idSchema, id);
    const add = parseInput(usageSchema, usage);
    return inTransaction(tx ?? this.db, async (manager) => {
      const [updated] = await queryEntities(
        manager,
        Message,
        `UPDATE messages
            SET input_tokens = input_tokens + $2,
                output_tokens = output_tokens + $3,
                reasoning_tokens = reasoning_tokens + $4,
                cache_read_tokens = cache_read_tokens + $5,
                cache_write_tokens = cache_write_tokens + $6,
                cost_usd = cost_usd + $7::numeric
          WHERE id = $1
          RETURNING *`,
        [
          messageId,
          add.inputTokens ?? 0,
          add.outputTokens ?? 0,
          add.reasoningTokens ?? 0,
          add.cacheReadTokens ?? 0,
          add.cacheWriteTokens ?? 0,
          add.costUsd ?? '0',
        ],
      );
      if (!updated) throw new NotFoundError(`message ${messageId} not found`, { field: 'id' });
      return updated;
    });
  }
}
