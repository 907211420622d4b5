import type { Client } from 'pg';
import { acquireMigrationLock } from './advisory-lock';
import { listUserRelations } from './catalog';
import { databaseName, withClient } from './connection';
import { ExitCode, MigratorError } from './exit-codes';
import { formatDuration, type Log } from './log';
import { loadMigrationSource, type MigrationFile, type MigrationSource, type SchemaFile } from './migration-files';
import { runInTransaction, runWithoutTransaction, type TransactionOptions } from './sql-file-execution';
import {
  deleteUnfinishedRecord,
  ensureTrackingTable,
  readRecords,
  recordProgress,
  trackingTable,
  writeRecord,
  type MigrationRecord,
} from './tracking-table';

export interface RunnerOptions {
  databaseUrl: URL;
  dbDir: string;
  log?: Log;
}

export const upDefaults = {
  lockTimeoutMs: 5000,
  retries: 5,
  lockWaitMs: 10 * 60_000,
};

export interface UpOptions extends RunnerOptions {
  /** Load db/schema.sql into an empty database instead of running the migrations it covers (default true). */
  baseline?: boolean;
  lockTimeoutMs?: number;
  retries?: number;
  retryDelayMs?: number;
  lockWaitMs?: number;
}

export type VersionState = 'applied' | 'pending' | 'running' | 'failed' | 'checksum-changed' | 'missing-file';

export interface VersionStatus {
  version: string;
  name: string;
  /** The file as messages name it; null when it is missing. */
  file: string | null;
  /** sha256 of the file as it is now; null when it is missing. */
  checksum: string | null;
  state: VersionState;
  record: MigrationRecord | null;
  /** Set when this version stops `up` before anything runs; the message names the file. */
  problem: string | null;
}

export interface StatusReport {
  database: string;
  versions: VersionStatus[];
}

export type PlannedStep =
  { kind: 'baseline'; schema: SchemaFile; covers: MigrationFile[] } | { kind: 'migration'; migration: MigrationFile };

export interface UpResult {
  steps: { step: PlannedStep; ms: number }[];
}

/** Every migration file and recorded version with its state; reads only. */
export async function status(options: RunnerOptions): Promise<StatusReport> {
  const source = loadMigrationSource(options.dbDir);
  const records = await withClient(options.databaseUrl, readRecords);
  return { database: databaseName(options.databaseUrl), versions: inspect(source, records, { lockHeld: false }) };
}

/** What `up` would run now; runs nothing and takes no lock. */
export async function plan(options: UpOptions): Promise<PlannedStep[]> {
  const source = loadMigrationSource(options.dbDir);
  return withClient(options.databaseUrl, async (client) => {
    const records = await readRecords(client);
    stopOnProblems(inspect(source, records, { lockHeld: false }));
    return planSteps(client, databaseName(options.databaseUrl), source, records, options.baseline ?? true);
  });
}

/** Applies what is pending, under the migration lock. */
export async function up(options: UpOptions): Promise<UpResult> {
  const log = options.log ?? (() => undefined);
  const source = loadMigrationSource(options.dbDir);
  const lock = await acquireMigrationLock(options.databaseUrl, {
    waitMs: options.lockWaitMs ?? upDefaults.lockWaitMs,
    log,
  });
  try {
    return await withClient(options.databaseUrl, async (client) => {
      // Read only now: another runner may have applied everything while this one waited for the lock.
      const records = await readRecords(client);
      stopOnProblems(inspect(source, records, { lockHeld: true }));
      const steps = await planSteps(
        client,
        databaseName(options.databaseUrl),
        source,
        records,
        options.baseline ?? true,
      );
      if (steps.length > 0) await ensureTrackingTable(client);
      const transaction: TransactionOptions = {
        lockTimeoutMs: options.lockTimeoutMs ?? upDefaults.lockTimeoutMs,
        retries: options.retries ?? upDefaults.retries,
        retryDelayMs: options.retryDelayMs,
        log,
      };
      const done: UpResult['steps'] = [];
      for (const step of steps) {
        const started = performance.now();
        if (step.kind === 'baseline') await loadBaseline(client, step, transaction);
        else if (step.migration.noTransaction) await applyWithoutTransaction(client, step.migration, log);
        else await applyInTransaction(client, step.migration, transaction);
        const ms = performance.now() - started;
        log(`✓ ${describeStep(step)} ${step.kind === 'baseline' ? 'loaded' : 'applied'} in ${formatDuration(ms)}`);
        done.push({ step, ms });
      }
      return { steps: done };
    });
  } finally {
    await lock.release();
  }
}

/** Deletes the failed (or interrupted) record of a version, so that `up` runs the fixed file again. */
export async function repair(
  options: RunnerOptions & { version: string; lockWaitMs?: number },
): Promise<MigrationRecord> {
  const log = options.log ?? (() => undefined);
  const version = options.version.slice(0, 4);
  const lock = await acquireMigrationLock(options.databaseUrl, {
    waitMs: options.lockWaitMs ?? upDefaults.lockWaitMs,
    log,
  });
  try {
    return await withClient(options.databaseUrl, async (client) => {
      const record = (await readRecords(client)).find((candidate) => candidate.version === version);
      if (!record) throw new MigratorError(`version ${version} has no record: nothing to repair`, ExitCode.usage);
      if (!(await deleteUnfinishedRecord(client, version))) {
        throw new MigratorError(
          `${record.name} is recorded as ${record.status}; repair only clears failed or interrupted records`,
          ExitCode.usage,
        );
      }
      return record;
    });
  } finally {
    await lock.release();
  }
}

export function describeStep(step: PlannedStep): string {
  if (step.kind === 'migration') return step.migration.name + (step.migration.noTransaction ? ' (no transaction)' : '');
  const covered = step.covers.map((migration) => migration.version);
  return `baseline ${step.schema.displayPath} (stands for ${covered[0]}..${covered[covered.length - 1]})`;
}

/**
 * Compares the recorded history with the files. `lockHeld` tells whether a `running` record can be
 * trusted to be a live runner (it cannot when we hold the lock: its runner died).
 */
export function inspect(
  source: MigrationSource,
  records: MigrationRecord[],
  { lockHeld }: { lockHeld: boolean },
): VersionStatus[] {
  const files = new Map(source.migrations.map((migration) => [migration.version, migration]));
  const recorded = new Map(records.map((record) => [record.version, record]));
  const lastRecorded = records.at(-1)?.version;
  const versions = [...new Set([...files.keys(), ...recorded.keys()])].sort();
  return versions.map((version): VersionStatus => {
    const file = files.get(version);
    const record = recorded.get(version) ?? null;
    const base = {
      version,
      name: file?.name ?? record!.name,
      file: file?.displayPath ?? null,
      checksum: file?.checksum ?? null,
      record,
    };
    if (!record) {
      const outOfOrder = lastRecorded !== undefined && lastRecorded > version;
      return {
        ...base,
        state: 'pending',
        problem: outOfOrder
          ? `${file!.displayPath} is pending but version ${lastRecorded} is already recorded; migrations are append-only: give it a version after ${lastRecorded}`
          : null,
      };
    }
    if (!file) {
      return {
        ...base,
        state: 'missing-file',
        problem: `${record.name}.sql is recorded as ${record.status} but is missing from ${source.dbDir}/migrations: restore it from version control`,
      };
    }
    if (record.status === 'failed') {
      return {
        ...base,
        state: 'failed',
        problem: [
          `${file.displayPath} failed at ${record.appliedAt.toISOString()}: ${record.error}`,
          ...(record.statementsDone > 0
            ? [`  its first ${record.statementsDone} statement(s) had completed and were not rolled back`]
            : []),
          `  fix the cause, then run \`repair ${version}\` and \`up\` again`,
        ].join('\n'),
      };
    }
    if (record.status === 'running') {
      return {
        ...base,
        state: 'running',
        problem: lockHeld
          ? `${file.displayPath} was interrupted after ${record.statementsDone} statement(s) ` +
            `(started by ${record.appliedBy} at ${record.appliedAt.toISOString()}): check what it left behind, then run \`repair ${version}\``
          : null,
      };
    }
    if (record.checksum !== file.checksum) {
      return {
        ...base,
        state: 'checksum-changed',
        problem:
          `${file.displayPath} changed after it was ${record.status === 'baseline' ? 'recorded as baseline' : 'applied'} ` +
          `(sha256 ${record.checksum.slice(0, 12)}… recorded, ${file.checksum.slice(0, 12)}… now): ` +
          'applied migrations are append-only; restore the file and put the change in a new migration',
      };
    }
    // Loaded as part of the schema.sql baseline or run from its own file: applied either way
    // (the record's status tells which).
    return { ...base, state: 'applied', problem: null };
  });
}

function stopOnProblems(versions: VersionStatus[]): void {
  const problems = versions.flatMap((version) => (version.problem ? [version.problem] : []));
  if (problems.length > 0) {
    throw new MigratorError(
      `stopped before running anything: the migration history disagrees with the files\n${problems.map((problem) => `  ${problem}`).join('\n')}`,
      ExitCode.integrity,
    );
  }
}

async function planSteps(
  client: Client,
  database: string,
  source: MigrationSource,
  records: MigrationRecord[],
  useBaseline: boolean,
): Promise<PlannedStep[]> {
  const recorded = new Set(records.map((record) => record.version));
  const pending = source.migrations.filter((migration) => !recorded.has(migration.version));
  if (records.length > 0 || pending.length === 0) return pending.map((migration) => ({ kind: 'migration', migration }));

  const relations = await listUserRelations(client, [trackingTable]);
  if (relations.length > 0) {
    throw new MigratorError(
      `database ${database} has no migration history but already holds relations (${relations.join(', ')}); refusing to migrate over it`,
      ExitCode.integrity,
    );
  }
  const baselineVersion = source.schema?.baselineVersion;
  if (!useBaseline || !source.schema || !baselineVersion)
    return pending.map((migration) => ({ kind: 'migration', migration }));
  const covers = pending.filter((migration) => migration.version <= baselineVersion);
  const later = pending.filter((migration) => migration.version > baselineVersion);
  return [
    { kind: 'baseline', schema: source.schema, covers },
    ...later.map((migration): PlannedStep => ({ kind: 'migration', migration })),
  ];
}

async function loadBaseline(
  client: Client,
  step: Extract<PlannedStep, { kind: 'baseline' }>,
  transaction: TransactionOptions,
): Promise<void> {
  transaction.log(`→ ${describeStep(step)}`);
  await runInTransaction(client, step.schema, transaction, async () => {
    for (const migration of step.covers) {
      await writeRecord(client, { ...identity(migration), status: 'baseline' });
    }
  });
}

async function applyInTransaction(
  client: Client,
  migration: MigrationFile,
  transaction: TransactionOptions,
): Promise<void> {
  transaction.log(`→ ${migration.name}`);
  const started = performance.now();
  try {
    await runInTransaction(client, migration, transaction, (statementsDone) =>
      writeRecord(client, {
        ...identity(migration),
        status: 'applied',
        statementsDone,
        executionMs: Math.round(performance.now() - started),
      }),
    );
  } catch (error) {
    // Rolled back: no statement of the file remains done.
    await recordFailure(client, migration, error as Error, 0, started);
    throw error;
  }
}

async function applyWithoutTransaction(client: Client, migration: MigrationFile, log: Log): Promise<void> {
  log(`→ ${migration.name} (no transaction, statement by statement)`);
  const started = performance.now();
  await writeRecord(client, { ...identity(migration), status: 'running' });
  let statementsDone = 0;
  try {
    await runWithoutTransaction(client, migration, async (done) => {
      statementsDone = done;
      await recordProgress(client, migration.version, done);
    });
    await writeRecord(client, {
      ...identity(migration),
      status: 'applied',
      statementsDone,
      executionMs: Math.round(performance.now() - started),
    });
  } catch (error) {
    await recordFailure(client, migration, error as Error, statementsDone, started);
    throw error;
  }
}

/**
 * In a transaction of its own, after the failed one rolled back, so that the failure stays recorded.
 * If even that fails (the connection is gone), the original error is the one worth reporting.
 */
async function recordFailure(
  client: Client,
  migration: MigrationFile,
  error: Error,
  statementsDone: number,
  started: number,
): Promise<void> {
  await writeRecord(client, {
    ...identity(migration),
    status: 'failed',
    statementsDone,
    executionMs: Math.round(performance.now() - started),
    error: error.message,
  }).catch(() => undefined);
}

function identity(migration: MigrationFile) {
  return { version: migration.version, name: migration.name, checksum: migration.checksum };
}
