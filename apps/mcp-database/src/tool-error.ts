import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/**
 * Why a tool call was refused or failed:
 * - guard: the SQL guard refused the statement before it reached the database;
 * - database: PostgreSQL refused or failed it (permission, syntax, unknown table, connection);
 * - timeout: statement_timeout or lock_timeout stopped it;
 * - limit: a size or concurrency limit of this server (SQL too long, every connection busy);
 * - cancelled: the client cancelled the call.
 */
export type ToolErrorKind = 'guard' | 'database' | 'timeout' | 'limit' | 'cancelled';

/** Key of the machine-readable error in a failed result's `_meta`. */
export const ERROR_META_KEY = 'dev.plue/error';

export interface ToolErrorInfo {
  kind: ToolErrorKind;
  /** The SQLSTATE when PostgreSQL (or the parser, for syntax errors) gave one. */
  sqlstate: string | null;
  message: string;
  /** What to do about it, when there is something to say. */
  hint?: string;
}

export class ToolError extends Error {
  constructor(
    readonly kind: ToolErrorKind,
    message: string,
    readonly sqlstate: string | null = null,
    readonly hint?: string,
  ) {
    super(message);
  }

  get info(): ToolErrorInfo {
    return {
      kind: this.kind,
      sqlstate: this.sqlstate,
      message: this.message,
      ...(this.hint ? { hint: this.hint } : {}),
    };
  }
}

interface PgErrorFields {
  code?: string;
  message: string;
  detail?: string;
  hint?: string;
  position?: string;
  table?: string;
  column?: string;
}

function pgErrorOf(error: unknown): PgErrorFields | undefined {
  if (error && typeof error === 'object' && 'message' in error && 'code' in error) {
    const code = (error as { code: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return error as PgErrorFields;
  }
  return undefined;
}

/** Hints for SQLSTATEs a person can act on. */
const HINTS: Record<string, string> = {
  '42501':
    'plue_readonly may not do this: it reads every table but writes nothing, and secret columns ' +
    '(session keys, token hashes, nonces) are withheld; name the columns you need instead of *',
  '25006': 'this server runs every statement in a read-only transaction',
  '25001': 'this server runs every statement in its own read-only transaction',
  '42P01': 'list_tables shows the tables; describe_table shows one',
  '42703': 'describe_table shows the columns of a table',
  '42601': 'the query tool takes exactly one SELECT, EXPLAIN or SHOW statement',
};

/**
 * Turns anything thrown while serving a tool call into a ToolError. `reason` says why a
 * "canceling statement" error (57014) happened: our own watchdog or the client's cancel.
 */
export function toToolError(error: unknown, reason?: 'timeout' | 'cancelled'): ToolError {
  if (error instanceof ToolError) return error;
  const pg = pgErrorOf(error);
  if (pg) {
    const code = pg.code!;
    const message = pg.detail ? `${pg.message} (${pg.detail})` : pg.message;
    if (code === '57014') {
      const cancelled = reason ? reason === 'cancelled' : !/statement timeout/.test(pg.message);
      if (cancelled) return new ToolError('cancelled', 'the statement was cancelled', code);
      return new ToolError(
        'timeout',
        `${pg.message}: the statement ran longer than the server's limit`,
        code,
        'narrow the query (WHERE, LIMIT) or EXPLAIN it to see why it is slow',
      );
    }
    if (code === '55P03' || code === '25P03') {
      return new ToolError('timeout', message, code, 'a lock held by another session made the statement wait too long');
    }
    return new ToolError('database', message, code, pg.hint ?? HINTS[code]);
  }
  const text = error instanceof Error ? error.message : String(error);
  if (/timeout exceeded when trying to connect/i.test(text)) {
    return new ToolError('limit', 'every database connection of this server is busy', null, 'try again in a moment');
  }
  return new ToolError('database', `cannot complete the call: ${text}`);
}

/** The MCP error result of a refused or failed call: readable text, and the details in `_meta`. */
export function errorResult(error: ToolError): CallToolResult {
  const info = error.info;
  const head = `${info.kind} error${info.sqlstate ? ` (SQLSTATE ${info.sqlstate})` : ''}: ${info.message}`;
  return {
    isError: true,
    content: [{ type: 'text', text: info.hint ? `${head}\nhint: ${info.hint}` : head }],
    _meta: { [ERROR_META_KEY]: info },
  };
}
