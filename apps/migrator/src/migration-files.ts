import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ExitCode, MigratorError } from './exit-codes';
import { splitStatements } from './sql-statements';

/** A SQL file the runner executes: a migration, or db/schema.sql. */
export interface SqlFile {
  /** Absolute path. */
  path: string;
  /** How messages name the file: relative to the working directory when inside it. */
  displayPath: string;
  sql: string;
}

export interface MigrationFile extends SqlFile {
  /** Four digits, e.g. '0001'; versions sort as strings. */
  version: string;
  /** File name without `.sql`, e.g. '0001_initial_schema'. */
  name: string;
  /** sha256 (hex) of the file's bytes. */
  checksum: string;
  /** Declared with `-- migrate:no-transaction`: run statement by statement outside a transaction. */
  noTransaction: boolean;
}

export interface SchemaFile extends SqlFile {
  /** From the `-- migrate:baseline NNNN` line: the schema equals the migrations up to this version. */
  baselineVersion: string | null;
}

export interface MigrationSource {
  /** The folder holding schema.sql and migrations/. */
  dbDir: string;
  migrations: MigrationFile[];
  /** null when the folder has no schema.sql. */
  schema: SchemaFile | null;
}

const migrationName = /^(\d{4})_[a-z0-9][a-z0-9_-]*\.sql$/;
const baselineMarker = /^--\s*migrate:baseline\s+(\S+)\s*$/m;
const directiveLine = /^--\s*migrate:(\S+)/;
const knownDirectives = new Set(['no-transaction']);

/** `<repo>/db`, from both src/ (tests) and dist/ (the built CLI). */
export const defaultDbDir = path.resolve(__dirname, '../../../db');

export function loadMigrationSource(dbDir: string): MigrationSource {
  const migrationsDir = path.join(dbDir, 'migrations');
  if (!existsSync(migrationsDir)) {
    throw new MigratorError(
      `no migrations folder at ${displayPath(migrationsDir)} (set --dir or PLUE_DB_DIR)`,
      ExitCode.usage,
    );
  }
  const migrations = readdirSync(migrationsDir)
    .filter((entry) => entry.endsWith('.sql'))
    .sort()
    .map((entry) => loadMigration(path.join(migrationsDir, entry)));
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i].version === migrations[i - 1].version) {
      throw new MigratorError(
        `two migrations share version ${migrations[i].version}: ${migrations[i - 1].displayPath} and ${migrations[i].displayPath}`,
        ExitCode.usage,
      );
    }
  }
  const schemaPath = path.join(dbDir, 'schema.sql');
  return { dbDir, migrations, schema: existsSync(schemaPath) ? loadSchema(schemaPath, migrations) : null };
}

function loadMigration(file: string): MigrationFile {
  const fileName = path.basename(file);
  const match = migrationName.exec(fileName);
  if (!match) {
    throw new MigratorError(
      `${displayPath(file)}: migration files are named NNNN_slug.sql (four digits, lower-case slug)`,
      ExitCode.usage,
    );
  }
  const bytes = readFileSync(file);
  const sql = bytes.toString('utf8');
  const directives = leadingDirectives(sql, file);
  if (!directives.has('no-transaction')) refuseTransactionControl(sql, file);
  return {
    path: file,
    displayPath: displayPath(file),
    sql,
    version: match[1],
    name: fileName.slice(0, -'.sql'.length),
    checksum: createHash('sha256').update(bytes).digest('hex'),
    noTransaction: directives.has('no-transaction'),
  };
}

/** `-- migrate:<directive>` lines among the comments that open a file. */
function leadingDirectives(sql: string, file: string): Set<string> {
  const directives = new Set<string>();
  for (const line of sql.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    if (!trimmed.startsWith('--')) break;
    const directive = directiveLine.exec(trimmed)?.[1];
    if (directive === undefined) continue;
    // A misspelt directive would otherwise silently run the file in the wrong mode.
    if (!knownDirectives.has(directive)) {
      throw new MigratorError(`${displayPath(file)}: unknown directive "-- migrate:${directive}"`, ExitCode.usage);
    }
    directives.add(directive);
  }
  return directives;
}

const transactionControl = /^(begin|start\s+transaction|commit|end|rollback|abort)\b/i;

/**
 * The runner wraps the file in its own transaction, together with its tracking record; a COMMIT in
 * the file would end that transaction early and make the file half-atomic.
 */
function refuseTransactionControl(sql: string, file: string): void {
  const statement = splitStatements(sql).find((candidate) => transactionControl.test(candidate.text));
  if (statement) {
    throw new MigratorError(
      `${displayPath(file)}:${statement.line}: "${statement.text.split(/\s/)[0]}" inside a file that runs in a transaction; remove it (the runner wraps each file in one transaction) or declare "-- migrate:no-transaction"`,
      ExitCode.usage,
    );
  }
}

function loadSchema(file: string, migrations: MigrationFile[]): SchemaFile {
  const sql = readFileSync(file, 'utf8');
  refuseTransactionControl(sql, file);
  const baselineVersion = baselineMarker.exec(sql)?.[1] ?? null;
  if (baselineVersion !== null && !migrations.some((migration) => migration.version === baselineVersion)) {
    throw new MigratorError(
      `${displayPath(file)}: "-- migrate:baseline ${baselineVersion}" names no migration in ${displayPath(path.join(path.dirname(file), 'migrations'))}`,
      ExitCode.usage,
    );
  }
  return { path: file, displayPath: displayPath(file), sql, baselineVersion };
}

export function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}
