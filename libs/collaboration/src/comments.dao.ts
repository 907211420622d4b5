import { z } from 'zod';
import type { DataSource } from 'typeorm';
import { inTransaction, NotFoundError, parseInput, ValidationError, type Tx, hydrate } from '@plue/db';
import { Comment } from './entities/comment.entity';
import { rowsOf } from './result-rows';
import { MentionsDao } from './mentions.dao';
import { commentBodySchema, idSchema } from './validation';

const createCommentSchema = z.object({ issueId: idSchema, authorId: idSchema, body: commentBodySchema }).strict();
export type CreateComment = z.input<typeof createCommentSchema>;

const listSchema = z
  .object({ limit: z.number().int().min(1).max(100).default(30), cursor: z.string().max(200).optional() })
  .strict();
export type CommentListOptions = z.input<typeof listSchema>;

export interface CommentPage {
  items: Comment[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/**
 * Comments on issues and pull requests. The issue's comment_count is kept by the database; each
 * write keeps the comment's @-mentions in sync in the same transaction.
 */
export class CommentsDao {
  private readonly mentions: MentionsDao;

  constructor(private readonly db: DataSource) {
    this.mentions = new MentionsDao(db);
  }

  async create(data: CreateComment, tx?: Tx): Promise<Comment> {
    const input = parseInput(createCommentSchema, data);
    return inTransaction(tx ?? this.db, async (manager) => {
      const [row] = rowsOf(
        await manager.query('INSERT INTO comments (issue_id, author_id, body) VALUES ($1, $2, $3) RETURNING *', [
          input.issueId,
          input.authorId,
          input.body,
        ]),
      );
      const comment = hydrate(manager, Comment, row);
      await this.mentions.sync('comment', comment.id, comment.body, manager);
      return comment;
    });
  }

  /** The comment, or null. */
  async getById(id: number, tx?: Tx): Promise<Comment | null> {
    return (tx ?? this.db.manager).findOneBy(Comment, { id: parseInput(idSchema, id) });
  }

  /** Replaces the body (a person's edit: sets edited_at) and re-syncs its mentions. */
  async edit(id: number, body: string, tx?: Tx): Promise<Comment> {
    const input = parseInput(z.object({ id: idSchema, body: commentBodySchema }), { id, body });
    return inTransaction(tx ?? this.db, async (manager) => {
      const [row] = rowsOf(
        await manager.query('UPDATE comments SET body = $2, edited_at = now() WHERE id = $1 RETURNING *', [
          input.id,
          input.body,
        ]),
      );
      if (!row) throw new NotFoundError(`comment ${input.id} does not exist`, { field: 'id' });
      await this.mentions.sync('comment', input.id, input.body, manager);
      return hydrate(manager, Comment, row);
    });
  }

  /** Deletes the comment (its reactions and mentions go with it); false when it did not exist. */
  async delete(id: number, tx?: Tx): Promise<boolean> {
    const commentId = parseInput(idSchema, id);
    return inTransaction(tx ?? this.db, async (manager) => {
      return rowsOf(await manager.query('DELETE FROM comments WHERE id = $1 RETURNING id', [commentId])).length > 0;
    });
  }

  /** An issue's comments, oldest first, paged by keyset (created_at, id). */
  async listByIssue(issueId: number, options: CommentListOptions = {}, tx?: Tx): Promise<CommentPage> {
    const id = parseInput(idSchema, issueId);
    const input = parseInput(listSchema, options);
    const after = input.cursor === undefined ? null : decodeCommentCursor(input.cursor);
    const manager = tx ?? this.db.manager;
    const rows = rowsOf(
      await manager.query(
        `SELECT c.*, to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_value
           FROM comments c
          WHERE c.issue_id = $1
            AND ($2::timestamptz IS NULL OR (c.created_at, c.id) > ($2::timestamptz, $3::bigint))
          ORDER BY c.created_at, c.id
          LIMIT $4`,
        [id, after?.createdAt ?? null, after?.id ?? null, input.limit + 1],
      ),
    );
    const page = rows.slice(0, input.limit);
    const last = page[page.length - 1];
    return {
      items: page.map((row) => hydrate(manager, Comment, row)),
      nextCursor:
        rows.length > input.limit && last ? encodeCommentCursor(String(last.cursor_value), Number(last.id)) : null,
    };
  }
}

function encodeCommentCursor(createdAt: string, id: number): string {
  return Buffer.from(JSON.stringify([createdAt, id])).toString('base64url');
}

function decodeCommentCursor(encoded: string): { createdAt: string; id: number } {
  const refuse = () => new ValidationError([{ field: 'cursor', message: 'is not a valid cursor' }]);
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    throw refuse();
  }
  const parsed = z
    .tuple([z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/), idSchema])
    .safeParse(decoded);
  if (!parsed.success || Number.isNaN(Date.parse(parsed.data[0]))) throw refuse();
  return { createdAt: parsed.data[0], id: parsed.data[1] };
}
