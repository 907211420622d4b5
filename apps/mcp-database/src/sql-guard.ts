import { loadModule, parseSync } from 'libpg-query';
import { ToolError } from './tool-error';

// Layer 1 of the `query` tool's defence: PostgreSQL's own parser (libpg-query, compiled to WASM)
// turns the text into a syntax tree, and an allow-list decides on the tree, never on the text. The
// database layers (extended protocol, read-only transaction, read-only role) do not rely on it.

/** Functions refused anywhere in a statement, by name, whatever their schema. */
const DENIED_FUNCTIONS = new Set([
  // server files and programs
  'pg_read_file',
  'pg_read_binary_file',
  'pg_stat_file',
  'pg_ls_dir',
  'pg_ls_logdir',
  'pg_ls_waldir',
  'pg_ls_tmpdir',
  'pg_ls_archive_statusdir',
  'pg_ls_logicalsnapdir',
  'pg_ls_logicalmapdir',
  'pg_ls_replslotdir',
  'pg_current_logfile',
  'pg_file_write',
  'pg_file_rename',
  'pg_file_unlink',
  'pg_file_sync',
  'pg_logdir_ls',
  // large objects (lo_*, see DENIED_PREFIXES) beyond the lo_ prefix
  'loread',
  'lowrite',
  // backends and the server
  'pg_terminate_backend',
  'pg_cancel_backend',
  'pg_reload_conf',
  'pg_rotate_logfile',
  'pg_promote',
  'pg_log_backend_memory_contexts',
  'pg_switch_wal',
  'pg_create_restore_point',
  'pg_backup_start',
  'pg_backup_stop',
  'pg_start_backup',
  'pg_stop_backup',
  'pg_wal_replay_pause',
  'pg_wal_replay_resume',
  'pg_import_system_collations',
  'pg_nextoid',
  // settings and session state
  'set_config',
  'pg_notify',
  // write or consume state
  'nextval',
  'setval',
  'txid_current',
  'pg_current_xact_id',
  'pg_export_snapshot',
  // SQL passed as text
  'query_to_xml',
  'query_to_xmlschema',
  'query_to_xml_and_xmlschema',
  'cursor_to_xml',
  'cursor_to_xmlschema',
  'ts_stat',
  'ts_rewrite',
]);

/** Function name prefixes refused anywhere: families of the same kind as above. */
const DENIED_PREFIXES = [
  'pg_advisory_', // advisory locks: pg_advisory_lock, _xact_lock, _unlock, _unlock_all, ...
  'pg_try_advisory_',
  'lo_', // large objects: lo_import, lo_export, lo_from_bytea, lo_create, lo_unlink, lo_put, ...
  'dblink', // dblink, dblink_exec, dblink_connect, ...
  'pg_stat_reset', // statistics resets
  'pg_stat_statements_reset',
  'pg_replication_origin_',
  'pg_logical_', // pg_logical_emit_message, pg_logical_slot_get_changes, ...
  'pg_create_', // replication slots, restore points
  'pg_drop_replication_slot',
  'pg_copy_', // replication slot copies
  'pg_replication_slot_',
  'binary_upgrade_',
];

export function deniedFunction(name: string): boolean {
  const lower = name.toLowerCase();
  return DENIED_FUNCTIONS.has(lower) || DENIED_PREFIXES.some((prefix) => lower.startsWith(prefix));
}

/** SQL words for the statement nodes a person is most likely to send, for messages. */
const STATEMENT_WORDS: Record<string, string> = {
  InsertStmt: 'INSERT',
  UpdateStmt: 'UPDATE',
  DeleteStmt: 'DELETE',
  MergeStmt: 'MERGE',
  TransactionStmt: 'a transaction command (BEGIN, COMMIT, ROLLBACK, SAVEPOINT, PREPARE TRANSACTION)',
  VariableSetStmt: 'SET',
  DoStmt: 'DO',
  CallStmt: 'CALL',
  CopyStmt: 'COPY',
  CreateStmt: 'CREATE TABLE',
  CreateTableAsStmt: 'CREATE TABLE AS / SELECT INTO',
  DropStmt: 'DROP',
  TruncateStmt: 'TRUNCATE',
  AlterTableStmt: 'ALTER TABLE',
  AlterRoleStmt: 'ALTER ROLE',
  AlterRoleSetStmt: 'ALTER ROLE … SET',
  AlterSystemStmt: 'ALTER SYSTEM',
  GrantStmt: 'GRANT/REVOKE',
  GrantRoleStmt: 'GRANT/REVOKE role',
  LockStmt: 'LOCK',
  VacuumStmt: 'VACUUM/ANALYZE',
  PrepareStmt: 'PREPARE',
  ExecuteStmt: 'EXECUTE',
  DeallocateStmt: 'DEALLOCATE',
  DeclareCursorStmt: 'DECLARE CURSOR',
  FetchStmt: 'FETCH',
  ClosePortalStmt: 'CLOSE',
  ListenStmt: 'LISTEN',
  NotifyStmt: 'NOTIFY',
  UnlistenStmt: 'UNLISTEN',
  LoadStmt: 'LOAD',
  CheckPointStmt: 'CHECKPOINT',
  DiscardStmt: 'DISCARD',
  CreateFunctionStmt: 'CREATE FUNCTION',
  CreateExtensionStmt: 'CREATE EXTENSION',
  IndexStmt: 'CREATE INDEX',
  ViewStmt: 'CREATE VIEW',
  RefreshMatViewStmt: 'REFRESH MATERIALIZED VIEW',
  ReindexStmt: 'REINDEX',
  ClusterStmt: 'CLUSTER',
  CommentStmt: 'COMMENT',
  RenameStmt: 'ALTER … RENAME',
  CreateRoleStmt: 'CREATE ROLE',
  DropRoleStmt: 'DROP ROLE',
  CreateSchemaStmt: 'CREATE SCHEMA',
  CreateSeqStmt: 'CREATE SEQUENCE',
  AlterSeqStmt: 'ALTER SEQUENCE',
  CreateTrigStmt: 'CREATE TRIGGER',
  CreatedbStmt: 'CREATE DATABASE',
  DropdbStmt: 'DROP DATABASE',
  SecLabelStmt: 'SECURITY LABEL',
};

const ALLOWED = 'the query tool runs one SELECT (no INTO, no FOR UPDATE/SHARE), EXPLAIN of one, or SHOW';

function statementWord(node: string): string {
  return (
    STATEMENT_WORDS[node] ??
    node
      .replace(/Stmt$/, '')
      .replace(/([a-z])([A-Z])/g, '$1 $2')
      .toUpperCase()
  );
}

let loaded: Promise<void> | undefined;

/** Loads the parser's WASM module once; call before the first `checkSql`. */
export function loadSqlParser(): Promise<void> {
  loaded ??= loadModule();
  return loaded;
}

export type StatementKind = 'SELECT' | 'EXPLAIN' | 'SHOW';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (value: Json | undefined): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Parses `sql` and returns its kind when it is allowed; otherwise throws a ToolError of kind
 * `guard` that says what was refused. Requires loadSqlParser() to have resolved.
 */
export function checkSql(sql: string): StatementKind {
  let tree: { stmts?: { stmt?: Json }[] };
  if (sql.trim() === '') throw new ToolError('guard', 'no statement: the SQL is empty', null, ALLOWED);
  try {
    tree = parseSync(sql) as unknown as typeof tree;
  } catch (error) {
    const details = (error as { sqlDetails?: { cursorPosition?: number } }).sqlDetails;
    const at = typeof details?.cursorPosition === 'number' ? ` at character ${details.cursorPosition + 1}` : '';
    throw new ToolError('guard', `${(error as Error).message}${at}`, '42601', 'fix the SQL syntax');
  }
  const statements = tree.stmts ?? [];
  if (statements.length === 0)
    throw new ToolError('guard', 'no statement: the SQL is empty or only comments', null, ALLOWED);
  if (statements.length > 1) {
    throw new ToolError(
      'guard',
      `exactly one statement is allowed, got ${statements.length}`,
      null,
      `${ALLOWED}; remove the other statements (a ";" outside quotes separates statements)`,
    );
  }
  const stmt = statements[0].stmt;
  if (!isObject(stmt)) throw new ToolError('guard', 'the parser returned no statement', null, ALLOWED);
  const [node, body] = Object.entries(stmt)[0] ?? [];

  let kind: StatementKind;
  if (node === 'SelectStmt') {
    kind = 'SELECT';
  } else if (node === 'ExplainStmt' && isObject(body)) {
    const inner = isObject(body.query) ? Object.keys(body.query)[0] : undefined;
    if (inner !== 'SelectStmt') {
      throw new ToolError(
        'guard',
        `EXPLAIN is allowed only of a SELECT, not of ${inner ? statementWord(inner) : 'this statement'}`,
        null,
        ALLOWED,
      );
    }
    kind = 'EXPLAIN';
  } else if (node === 'VariableShowStmt') {
    kind = 'SHOW';
  } else {
    throw new ToolError('guard', `${statementWord(node ?? 'unknown')} is not allowed`, null, ALLOWED);
  }
  inspect(stmt, []);
  return kind;
}

/** Walks the whole tree: nested statements, SELECT INTO, locking clauses, denied functions. */
function inspect(value: Json, path: string[]): void {
  if (Array.isArray(value)) {
    for (const item of value) inspect(item, path);
    return;
  }
  if (!isObject(value)) return;
  for (const [key, child] of Object.entries(value)) {
    if (/^[A-Z]\w*Stmt$/.test(key)) checkStatementNode(key, path);
    if (key === 'SelectStmt' && isObject(child)) {
      if (child.intoClause) {
        throw new ToolError('guard', 'SELECT … INTO creates a table and is not allowed', null, ALLOWED);
      }
      if (child.lockingClause) {
        throw new ToolError('guard', 'SELECT … FOR UPDATE/SHARE locks rows and is not allowed', null, ALLOWED);
      }
    }
    if (key === 'FuncCall' && isObject(child)) checkFunction(child.funcname);
    // Attribute notation: `row.f` calls f(row) when f takes the row's type.
    if (key === 'ColumnRef' && isObject(child)) checkFunction(child.fields, true);
    inspect(child, key.endsWith('Stmt') ? [...path, key] : path);
  }
}

function checkStatementNode(node: string, path: string[]): void {
  const top = path.length === 0;
  if (node === 'SelectStmt') return;
  if (top && (node === 'ExplainStmt' || node === 'VariableShowStmt')) return;
  const where = path.length > 0 ? ' inside a query (a data-modifying WITH, or a nested statement)' : '';
  throw new ToolError('guard', `${statementWord(node)}${where} is not allowed`, null, ALLOWED);
}

function checkFunction(nameParts: Json | undefined, columnReference = false): void {
  if (!Array.isArray(nameParts) || nameParts.length === 0) return;
  const last = nameParts[nameParts.length - 1];
  const name = isObject(last) && isObject(last.String) ? last.String.sval : undefined;
  if (typeof name !== 'string' || (columnReference && nameParts.length < 2)) return;
  if (deniedFunction(name)) {
    throw new ToolError(
      'guard',
      `the function ${name} is not allowed (it reads server files, signals backends, takes locks, changes ` +
        'settings, writes, or runs SQL passed as text)',
      null,
      'use plain SELECTs over tables and views; db_stats reports server activity',
    );
  }
}
