import { snapshotCatalog, type Catalog } from './catalog';
import { diffCatalogs } from './catalog-diff';
import { withClient } from './connection';
import { MigratorError } from './exit-codes';
import { formatDuration, type Log } from './log';
import { loadMigrationSource, type MigrationFile, type MigrationSource, type SqlFile } from './migration-files';
import { inspect, upDefaults } from './runner';
import { withScratchDatabase } from './scratch-database';
import { runInTransaction, runWithoutTransaction } from './sql-file-execution';
import { readRecords, trackingTable } from './tracking-table';

export interface VerifyOptions {
  databaseUrl: URL;
  dbDir: string;
  /** The checks to run, in order (default: the SQL checks, `schemaChecks`). */
  checks?: VerifyCheck[];
  log?: Log;
}

/** What a check may ask for; catalogs are built once per verify run and shared between checks. */
export interface VerifyContext {
  source: MigrationSource;
  databaseUrl: URL;
  /** The catalog of a scratch database loaded from db/schema.sql. */
  schemaCatalog(): Promise<Catalog>;
  /** The catalog of a scratch database after running these migrations in order (no baseline). */
  migrationsCatalog(migrations: MigrationFile[]): Promise<Catalog>;
  /** The catalog of the database at DATABASE_URL. */
  databaseCatalog(): Promise<Catalog>;
}

/** One independent claim about the schema; it returns its differences, each naming an object or file. */
export interface VerifyCheck {
  title: string;
  run(context: VerifyContext): Promise<string[]>;
}

export interface CheckResult {
  title: string;
  differences: string[];
  ms: number;
}

const baselineMarkerCheck: VerifyCheck = {
  title: 'schema.sql declares the latest migration as its baseline',
  async run({ source }) {
    const latest = source.migrations.at(-1);
    if (!source.schema) return [`${source.dbDir}/schema.sql is missing`];
    if (!latest) return [];
    const marker = source.schema.baselineVersion;
    if (marker === null) return [`${source.schema.displayPath} has no "-- migrate:baseline ${latest.version}" line`];
    if (marker !== latest.version) {
      return [
        `${source.schema.displayPath} declares "-- migrate:baseline ${marker}" but the latest migration is ${latest.displayPath}: make the same change in schema.sql and move the marker`,
      ];
    }
    return [];
  },
};

const schemaMatchesMigrationsCheck: VerifyCheck = {
  title: 'schema.sql and the chain of migrations build the same schema',
  async run(context) {
    if (!context.source.schema) return [`${context.source.dbDir}/schema.sql is missing`];
    const schema = await context.schemaCatalog();
    const migrations = await context.migrationsCatalog(context.source.migrations);
    return diffCatalogs(schema, migrations, { left: 'schema.sql', right: 'migrations' });
  },
};

const databaseMatchesMigrationsCheck: VerifyCheck = {
  title: 'the database at DATABASE_URL has not drifted from its applied migrations',
  async run(context) {
    const records = await withClient(context.databaseUrl, readRecords);
    const versions = inspect(context.source, records, { lockHeld: false });
    const problems = versions.flatMap((version) => (version.problem ? [version.problem] : []));
    const running = versions
      .filter((version) => version.state === 'running')
      .map((version) => `${version.file} is being applied right now: verify again when it is done`);
    if (problems.length + running.length > 0) return [...problems, ...running];
    const applied = new Set(
      versions.filter((version) => version.state === 'applied').map((version) => version.version),
    );
    const expected = await context.migrationsCatalog(
      context.source.migrations.filter((migration) => applied.has(migration.version)),
    );
    return diffCatalogs(expected, await context.databaseCatalog(), { left: 'migrations', right: 'database' });
  },
};

/** The checks of the SQL in db/ and of the live database, in this order. */
export const schemaChecks: VerifyCheck[] = [
  baselineMarkerCheck,
  schemaMatchesMigrationsCheck,
  databaseMatchesMigrationsCheck,
];

export async function verify(options: VerifyOptions): Promise<CheckResult[]> {
  const log = options.log ?? (() => undefined);
  const source = loadMigrationSource(options.dbDir);
  const built = new Map<string, Promise<Catalog>>();
  const once = (key: string, build: () => Promise<Catalog>) => {
    if (!built.has(key)) built.set(key, build());
    return built.get(key)!;
  };
  const context: VerifyContext = {
    source,
    databaseUrl: options.databaseUrl,
    schemaCatalog: () =>
      once('schema.sql', () =>
        buildScratchCatalog(options.databaseUrl, [source.schema!], source.schema!.displayPath, log),
      ),
    migrationsCatalog: (migrations) => {
      const label = migrations.length
        ? `migrations ${migrations[0].version}..${migrations.at(-1)!.version}`
        : 'no migrations';
      return once(label, () => buildScratchCatalog(options.databaseUrl, migrations, label, log));
    },
    databaseCatalog: () =>
      once('database', () =>
        withClient(options.databaseUrl, (client) => snapshotCatalog(client, { excludeRelations: [trackingTable] })),
      ),
  };

  const checks = options.checks ?? schemaChecks;
  const results: CheckResult[] = [];
  for (const check of checks) {
    const started = performance.now();
    let differences: string[];
    try {
      differences = await check.run(context);
    } catch (error) {
      // A file that does not even apply to an empty database is this check's finding, not a crash.
      if (!(error instanceof MigratorError)) throw error;
      differences = [error.message];
    }
    results.push({ title: check.title, differences, ms: performance.now() - started });
  }
  return results;
}

async function buildScratchCatalog(
  serverUrl: URL,
  files: (SqlFile | MigrationFile)[],
  label: string,
  log: Log,
): Promise<Catalog> {
  const started = performance.now();
  const catalog = await withScratchDatabase(serverUrl, (url) =>
    withClient(url, async (client) => {
      for (const file of files) {
        if ('noTransaction' in file && file.noTransaction)
          await runWithoutTransaction(client, file, async () => undefined);
        else await runInTransaction(client, file, { lockTimeoutMs: upDefaults.lockTimeoutMs, retries: 0, log });
      }
      return snapshotCatalog(client, { excludeRelations: [trackingTable] });
    }),
  );
  log(`  built ${label} in a scratch database (${formatDuration(performance.now() - started)})`);
  return catalog;
}
