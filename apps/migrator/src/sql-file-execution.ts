import type { Client, DatabaseError, QueryConfig } from 'pg';
import { ExitCode, MigratorError } from './exit-codes';
import { formatDuration, type Log } from './log';
import type { SqlFile } from './migration-files';
import { lineOfPosition, splitStatements, type SqlStatement } from './sql-statements';

/** A statement of a file failed; the message names file, line, SQLSTATE, detail and hint. */
export class StatementError extends MigratorError {
  constructor(
    file: SqlFile,
    readonly line: number,
    readonly sqlState: string | undefined,
    reason: Error,
    hints: string[] = [],
  ) {
    const database = reason as Partial<DatabaseError>;
    const lines = [`${file.displayPath}:${line}: ${sqlState ?? 'error'} ${reason.message}`];
    if (database.detail) lines.push(`  detail: ${database.detail}`);
    if (database.hint) lines.push(`  hint: ${database.hint}`);
    if (database.where) lines.push(`  where: ${database.where}`);
    for (const hint of hints) lines.push(`  hint: ${hint}`);
    super(lines.join('\n'), ExitCode.failed);
    this.name = 'StatementError';
  }
}

/** SQLSTATEs after which the whole transaction can simply run again. */
const retryableStates: Record<string, string> = { '55P03': 'lock_timeout', '40P01': 'deadlock' };

export interface TransactionOptions {
  lockTimeoutMs: number;
  /** How many times to run the file again after a lock_timeout or deadlock. */
  retries: number;
  /** First backoff delay; it doubles per attempt, with jitter. */
  retryDelayMs?: number;
  log: Log;
}

/**
 * Runs a file's statements in one transaction, with lock_timeout so that a migration waiting for a
 * busy table gives up (and retries later) instead of queueing every query of the application behind
 * its lock request. `inTransaction` runs just before COMMIT (with the number of statements run), to
 * record the file atomically with it.
 */
export async function runInTransaction(
  client: Client,
  file: SqlFile,
  options: TransactionOptions,
  inTransaction?: (statementCount: number) => Promise<void>,
): Promise<void> {
  const statements = splitStatements(file.sql);
  const retryDelayMs = options.retryDelayMs ?? 500;
  for (let attempt = 0; ; attempt++) {
    try {
      await client.query('BEGIN');
      await client.query(`SET LOCAL lock_timeout = ${Math.round(options.lockTimeoutMs)}`);
      await client.query('SET LOCAL statement_timeout = 0');
      for (const statement of statements) {
        await runStatement(client, file, statement);
      }
      await inTransaction?.(statements.length);
      await client.query('COMMIT');
      await resetSession(client);
      return;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      const reason = error instanceof StatementError && error.sqlState ? retryableStates[error.sqlState] : undefined;
      if (!reason || attempt >= options.retries) throw error;
      const delay = retryDelayMs * 2 ** attempt * (1 + Math.random() / 2);
      options.log(
        `  ${reason} at ${file.displayPath}:${(error as StatementError).line}; rolled back, retry ${attempt + 1}/${options.retries} in ${formatDuration(delay)}`,
      );
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/**
 * Runs a file statement by statement outside any transaction (CREATE INDEX CONCURRENTLY refuses to
 * run inside one); `afterStatement` records progress, since a failure leaves earlier statements done.
 */
export async function runWithoutTransaction(
  client: Client,
  file: SqlFile,
  afterStatement: (statementsDone: number) => Promise<void>,
): Promise<void> {
  const statements = splitStatements(file.sql);
  try {
    // A statement_timeout set for the role would cancel a long CREATE INDEX CONCURRENTLY halfway.
    await client.query('SET statement_timeout = 0');
    for (let i = 0; i < statements.length; i++) {
      await runStatement(client, file, statements[i]);
      await afterStatement(i + 1);
    }
  } finally {
    await resetSession(client).catch(() => undefined);
  }
}

/** A plain SET in one file (search_path, role) must not change how the next file runs. */
async function resetSession(client: Client): Promise<void> {
  await client.query('RESET ALL');
}

async function runStatement(client: Client, file: SqlFile, statement: SqlStatement): Promise<void> {
  // The extended protocol makes PostgreSQL refuse a second statement, so a splitting mistake fails
  // loudly instead of running two statements as one.
  const query: QueryConfig & { queryMode: 'extended' } = { text: statement.text, queryMode: 'extended' };
  try {
    await client.query(query);
  } catch (error) {
    throw statementError(file, statement, error as Error);
  }
}

const createIndexConcurrently =
  /^create\s+(?:unique\s+)?index\s+concurrently\s+(?:if\s+not\s+exists\s+)?("(?:[^"]|"")+"|[\w$.]+)?/i;

function statementError(file: SqlFile, statement: SqlStatement, error: Error): StatementError {
  const position = Number((error as Partial<DatabaseError>).position);
  const line = position > 0 ? lineOfPosition(statement, position) : statement.line;
  const hints: string[] = [];
  const concurrentIndex = createIndexConcurrently.exec(statement.text);
  if (concurrentIndex) {
    const name = concurrentIndex[1] && concurrentIndex[1].toLowerCase() !== 'on' ? concurrentIndex[1] : '<name>';
    hints.push(
      `a failed CREATE INDEX CONCURRENTLY can leave an INVALID index behind: DROP INDEX CONCURRENTLY IF EXISTS ${name}; before running the file again`,
    );
  }
  return new StatementError(file, line, (error as Partial<DatabaseError>).code, error, hints);
}
