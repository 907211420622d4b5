import type { Pool } from 'pg';
import type { Logger } from 'typeorm';

/** One statement as the DAO handed it to the driver. */
export interface CapturedStatement {
  sql: string;
  params: unknown[];
}

/**
 * A TypeORM logger that records the statements a DAO sends while `capture` runs, and does nothing
 * otherwise: during measurement the DAO pays one no-op call per query, as with TypeORM's default
 * logger. Capturing is what lets the raw side run the very same SQL with the same parameters,
 * whatever the DAO builds internally.
 */
export class QueryCaptureLogger implements Logger {
  private recording: CapturedStatement[] | null = null;

  /** Runs `work` alone on the DataSource and returns what it returned and the statements it sent. */
  async capture<T>(work: () => Promise<T>): Promise<{ result: T; statements: CapturedStatement[] }> {
    if (this.recording) throw new Error('capture does not nest');
    const statements: CapturedStatement[] = [];
    this.recording = statements;
    try {
      const result = await work();
      return { result, statements };
    } finally {
      this.recording = null;
    }
  }

  logQuery(query: string, parameters?: unknown[] | Record<string, unknown>): void {
    if (!this.recording) return;
    this.recording.push({ sql: query, params: Array.isArray(parameters) ? [...parameters] : [] });
  }

  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}

const TRANSACTION_CONTROL =
  /^\s*(START TRANSACTION|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT|SET TRANSACTION)\b/i;

/**
 * BEGIN/COMMIT and friends. The raw side leaves them out: a DAO that wraps a read in a transaction
 * pays for two more round trips, and the ratio should show it.
 */
export function isTransactionControl(statement: CapturedStatement): boolean {
  return TRANSACTION_CONTROL.test(statement.sql);
}

/** Runs `statements` in order on one pooled connection, as a hand-written pg data access would. */
export async function runStatements(pool: Pool, statements: readonly CapturedStatement[]): Promise<void> {
  if (statements.length === 1) {
    await pool.query(statements[0].sql, statements[0].params);
    return;
  }
  const client = await pool.connect();
  try {
    for (const statement of statements) await client.query(statement.sql, statement.params);
  } finally {
    client.release();
  }
}
