import { ConflictError, inTransaction, NotFoundError, parseInput, type Tx, queryEntities, queryRows } from '@plue/db';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import type { MessageStatus } from './entities/message.entity';
import { Part } from './entities/part.entity';
import { idSchema } from './input-schemas';
import { FINISHED_MESSAGE_STATUSES } from './message-status';
import { partInputSchema, partListSchema, type PartInput, type PartRow } from './message-parts';

/** Parts of messages: text, reasoning, tool calls and results, files, ordered by sort_order. */
export class PartsDao {
  constructor(private readonly db: DataSource) {}

  /**
   * Adds parts to a message that is still pending or streaming, after its existing parts (parts
   * without a sortOrder follow the current last one). NotFoundError when the message does not
   * exist; ConflictError when it has finished.
   */
  async append(messageId: number, parts: PartInput[], tx?: Tx): Promise<Part[]> {
    const id = parseInput(idSchema, messageId);
    const inputs = parseInput(z.array(partInputSchema).min(1).max(1000), parts);
    return inTransaction(tx ?? this.db, async (manager) => {
      // The message row lock orders concurrent appenders, so "after the last part" is well defined.
      const [message] = await queryRows<{ status: MessageStatus; next_sort_order: number }>(
        manager,
        `SELECT m.status, (SELECT coalesce(max(p.sort_order) + 1, 0) FROM parts p WHERE p.message_id = m.id) AS next_sort_order
           FROM messages m WHERE m.id = $1 FOR UPDATE`,
        [id],
      );
      if (!message) throw new NotFoundError(`message ${id} not found`, { field: 'messageId' });
      if (FINISHED_MESSAGE_STATUSES.includes(message.status)) {
        throw new ConflictError(`message ${id} is ${message.status}: its parts are final`, { field: 'messageId' });
      }
      return this.insertRows(id, parseInput(partListSchema(message.next_sort_order), inputs), manager);
    });
  }

  /** The parts of the given messages, ordered by message and sort order. */
  async listForMessages(messageIds: number[], tx?: Tx): Promise<Part[]> {
    const ids = parseInput(z.array(idSchema).max(10_000), messageIds);
    if (ids.length === 0) return [];
    return queryEntities(
      tx ?? this.db.manager,
      Part,
      'SELECT * FROM parts WHERE message_id = ANY($1::bigint[]) ORDER BY message_id, sort_order',
      [ids],
    );
  }

  /** Inserts validated parts in one statement; for callers already inside a transaction. */
  async insertRows(messageId: number, rows: PartRow[], tx: Tx): Promise<Part[]> {
    if (rows.length === 0) return [];
    const inserted = await queryEntities(
      tx,
      Part,
      `INSERT INTO parts (message_id, type, sort_order, content, tool_name, tool_call_id)
       SELECT $1, p.type, p.sort_order, p.content, p.tool_name, p.tool_call_id
         FROM jsonb_to_recordset($2::jsonb)
           AS p(type text, sort_order integer, content jsonb, tool_name text, tool_call_id text)
       RETURNING *`,
      [
        messageId,
        JSON.stringify(
          rows.map((row) => ({
            type: row.type,
            sort_order: row.sortOrder,
            content: row.content,
            tool_name: row.toolName,
            tool_call_id: row.toolCallId,
          })),
        ),
      ],
    );
    return inserted.sort((a, b) => a.sortOrder - b.sortOrder);
  }
}
