import Cursor from 'pg-cursor';
import type { FieldDef, QueryResult } from 'pg';
import { z } from 'zod';
import type { QueryLimits } from '../config';
import type { Database, Session } from '../database';
import { checkSql, type StatementKind } from '../sql-guard';
import { ToolError } from '../tool-error';
import { capCell, resultTypes } from '../value-format';

export const queryInput = {
  sql: z
    .string()
    .min(1)
    .describe(
      'Exactly one read-only statement: SELECT (no INTO, no FOR UPDATE/SHARE, no data-modifying WITH), ' +
        'EXPLAIN of a SELECT (ANALYZE allowed), or SHOW. Example: SELECT id, username FROM users LIMIT 5',
    ),
  max_rows: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe('Rows to return at most (default and cap are reported in limits; larger values are lowered to the cap)'),
};

export const queryOutput = {
  statement: z.enum(['SELECT', 'EXPLAIN', 'SHOW']).nullable().describe('What kind of statement ran'),
  columns: z
    .array(z.object({ name: z.string(), type: z.string() }))
    .describe('Result columns in order, with their PostgreSQL types'),
  rows: z
    .array(z.array(z.unknown()))
    .describe(
      'Rows as arrays in column order. bigint and numeric come as strings (exact); json/jsonb as JSON; ' +
        'timestamps, bytea and other types as PostgreSQL prints them',
    ),
  row_count: z.number().int().describe('Rows returned here'),
  truncated: z.boolean().describe('true when the statement had more rows than returned (row or byte cap)'),
  truncated_by: z.array(z.enum(['rows', 'bytes'])).describe('Which caps cut the result'),
  cells_truncated: z.number().int().describe('Cells cut to max_cell_chars (they end with …)'),
  limits: z.object({
    max_rows: z.number().int(),
    max_cell_chars: z.number().int(),
    max_response_bytes: z.number().int(),
    statement_timeout_ms: z.number().int(),
  }),
  duration_ms: z.number().int(),
};

type QueryOutput = z.infer<z.ZodObject<typeof queryOutput>>;

const BATCH_ROWS = 200;

export interface QueryOptions {
  sql: string;
  maxRows?: number;
  signal?: AbortSignal;
}

export class QueryTool {
  constructor(
    private readonly database: Database,
    private readonly limits: QueryLimits,
    /** TEST ONLY: false skips the parser layer (config.sqlGuardDisabledForTests). */
    private readonly guardEnabled: boolean,
  ) {}

  async run({ sql, maxRows: requested, signal }: QueryOptions): Promise<QueryOutput> {
    const limits = this.limits;
    if (sql.length > limits.maxSqlChars) {
      throw new ToolError(
        'limit',
        `the SQL is ${sql.length} characters long; this server accepts at most ${limits.maxSqlChars}`,
      );
    }
    const statement: StatementKind | null = this.guardEnabled ? checkSql(sql) : null;
    const maxRows = Math.min(requested ?? limits.defaultRows, limits.maxRows);
    const started = Date.now();
    const result = await this.database.withReadOnly({ signal, discard: true }, (session) =>
      this.read(session, sql, maxRows),
    );
    return {
      statement,
      ...result,
      limits: {
        max_rows: maxRows,
        max_cell_chars: limits.maxCellChars,
        max_response_bytes: limits.maxResponseBytes,
        statement_timeout_ms: limits.statementTimeoutMs,
      },
      duration_ms: Date.now() - started,
    };
  }

  /**
   * Runs `sql` through a cursor: the extended protocol (one Parse message, so PostgreSQL refuses
   * a second statement) and rows fetched in batches only until a cap is reached.
   */
  private async read(session: Session, sql: string, maxRows: number) {
    const { client } = session;
    const cursor = client.query(new Cursor(sql, undefined, { rowMode: 'array', types: resultTypes }));
    const rows: unknown[][] = [];
    const truncatedBy: ('rows' | 'bytes')[] = [];
    let fields: FieldDef[] = [];
    let cellsTruncated = 0;
    let bytes = 2;
    let failed = false;
    try {
      let done = false;
      while (!done) {
        const want = Math.min(BATCH_ROWS, maxRows + 1 - rows.length);
        const batch = await new Promise<{ rows: unknown[][]; result: QueryResult }>((resolve, reject) =>
          cursor.read(want, (error, batchRows, result) =>
            error ? reject(error) : resolve({ rows: batchRows as unknown[][], result }),
          ),
        );
        if (batch.result?.fields?.length) fields = batch.result.fields;
        for (const raw of batch.rows) {
          if (rows.length >= maxRows) {
            truncatedBy.push('rows');
            done = true;
            break;
          }
          const row = raw.map((cell) => {
            const capped = capCell(cell, this.limits.maxCellChars);
            if (capped.cut) cellsTruncated++;
            return capped.value;
          });
          const size = Buffer.byteLength(JSON.stringify(row)) + 1;
          if (bytes + size > this.limits.maxResponseBytes) {
            truncatedBy.push('bytes');
            done = true;
            break;
          }
          rows.push(row);
          bytes += size;
        }
        if (batch.rows.length < want) done = true;
      }
    } catch (error) {
      // After an error pg-cursor has already sent Sync; the connection becomes ready by itself.
      failed = true;
      throw error;
    } finally {
      if (!failed) await cursor.close();
    }
    return {
      columns: await this.columnTypes(session, fields),
      rows,
      row_count: rows.length,
      truncated: truncatedBy.length > 0,
      truncated_by: truncatedBy,
      cells_truncated: cellsTruncated,
    };
  }

  /** Column names with their types as PostgreSQL names them (format_type, with modifiers). */
  private async columnTypes(session: Session, fields: FieldDef[]): Promise<{ name: string; type: string }[]> {
    if (fields.length === 0) return [];
    const { rows } = await session.client.query<{ type: string }>(
      'SELECT format_type(f.oid, nullif(f.typmod, -1)) AS type FROM unnest($1::oid[], $2::int[]) WITH ORDINALITY f(oid, typmod, i) ORDER BY f.i',
      [fields.map((field) => field.dataTypeID), fields.map((field) => field.dataTypeModifier)],
    );
    return fields.map((field, i) => ({ name: field.name, type: rows[i]?.type ?? String(field.dataTypeID) }));
  }
}
