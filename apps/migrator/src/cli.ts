import path from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { parseDatabaseUrl } from './connection';
import { ExitCode, MigratorError } from './exit-codes';
import { formatDuration, type Log } from './log';
import { defaultDbDir } from './migration-files';
import { describeStep, plan, repair, status, up, upDefaults, type StatusReport, type VersionStatus } from './runner';
import { schemaChecks, verify } from './verify';

/** Where the CLI writes: stdout carries results (JSON with --json), stderr carries progress and errors. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: NodeJS.ProcessEnv;
}

/** Parses argv (without node and script), runs the command and returns the process exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const log: Log = (line) => io.stderr(`${line}\n`);
  const print = (line: string) => io.stdout(`${line}\n`);
  const common = (options: { dir?: string }) => ({
    databaseUrl: parseDatabaseUrl(io.env.DATABASE_URL),
    dbDir: path.resolve(options.dir ?? io.env.PLUE_DB_DIR ?? defaultDbDir),
    log,
  });

  const program = new Command('migrate')
    .description('The Plue migration runner: applies db/migrations to the database at DATABASE_URL.')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError()
    .addHelpText(
      'after',
      `\nExit codes: ${Object.entries(ExitCode)
        .map(([name, code]) => `${code} ${name}`)
        .join(', ')}`,
    );

  const dirOption = () =>
    new Option(
      '--dir <dbDir>',
      'folder holding schema.sql and migrations/ (env PLUE_DB_DIR; default: db/ of the repository)',
    );
  const lockWaitOption = () =>
    new Option(
      '--lock-wait <duration>',
      `give up (exit 6) when the migration lock is busy this long (default ${formatDuration(upDefaults.lockWaitMs)})`,
    ).argParser(parseDuration);

  program
    .command('up')
    .description('apply pending migrations (an empty database is loaded from schema.sql, then later migrations run)')
    .addOption(dirOption())
    .option('--no-baseline', 'run every migration even on an empty database, instead of loading schema.sql')
    .addOption(
      new Option(
        '--lock-timeout <duration>',
        `lock_timeout of transactional files (default ${formatDuration(upDefaults.lockTimeoutMs)})`,
      ).argParser(parseDuration),
    )
    .addOption(
      new Option('--retries <count>', `runs again after a lock_timeout (default ${upDefaults.retries})`).argParser(
        parseCount,
      ),
    )
    .addOption(lockWaitOption())
    .action(async (options) => {
      const result = await up({
        ...common(options),
        baseline: options.baseline,
        lockTimeoutMs: options.lockTimeout,
        retries: options.retries,
        lockWaitMs: options.lockWait,
      });
      const total = result.steps.reduce((sum, step) => sum + step.ms, 0);
      print(
        result.steps.length === 0
          ? 'nothing to apply: the database is up to date'
          : `applied ${result.steps.length} step(s) in ${formatDuration(total)}`,
      );
    });

  program
    .command('plan')
    .description('print what `up` would run; runs nothing')
    .addOption(dirOption())
    .option('--no-baseline', 'plan as `up --no-baseline` would run')
    .action(async (options) => {
      const steps = await plan({ ...common(options), baseline: options.baseline });
      if (steps.length === 0) print('nothing to apply: the database is up to date');
      else for (const step of steps) print(describeStep(step));
    });

  program
    .command('status')
    .description('list every migration version and its state')
    .addOption(dirOption())
    .option('--json', 'print a JSON document on stdout')
    .option('--check', 'exit 4 while any migration is pending')
    .action(async (options) => {
      const report = await status(common(options));
      print(options.json ? JSON.stringify(statusJson(report), null, 2) : statusTable(report));
      if (report.versions.some((version) => version.problem)) exitCode = ExitCode.integrity;
      else if (options.check && report.versions.some((version) => version.state === 'pending'))
        exitCode = ExitCode.pending;
    });

  program
    .command('verify')
    .description('prove that schema.sql equals the migrations, and that the database has not drifted from them')
    .addOption(dirOption())
    .option('--no-entities', "skip the TypeORM entities check (for a --dir that is not Plue's own db/)")
    .action(async (options) => {
      // Loaded only here: the entity libs (and TypeORM) are not needed to apply migrations.
      const checks = options.entities
        ? [...schemaChecks, (await import('./entities-check.js')).entitiesMatchDatabaseCheck]
        : schemaChecks;
      const results = await verify({ ...common(options), checks });
      for (const result of results) {
        const count = result.differences.length;
        print(
          `${count === 0 ? '✓' : '✗'} ${result.title}${count === 0 ? '' : `: ${count} difference(s)`} (${formatDuration(result.ms)})`,
        );
        for (const difference of result.differences) print(`    ${difference.replaceAll('\n', '\n    ')}`);
      }
      if (results.some((result) => result.differences.length > 0)) exitCode = ExitCode.verifyFailed;
    });

  program
    .command('repair')
    .description('delete the failed (or interrupted) record of a version, so that `up` runs the fixed file again')
    .argument('<version>', 'the version, e.g. 0003')
    .addOption(dirOption())
    .addOption(lockWaitOption())
    .action(async (version: string, options) => {
      const record = await repair({ ...common(options), version, lockWaitMs: options.lockWait });
      print(`cleared the ${record.status} record of ${record.name}; \`up\` will run it again`);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    if (error instanceof MigratorError) {
      io.stderr(`${error.message}\n`);
      return error.exitCode;
    }
    io.stderr(`unexpected error: ${(error as Error).stack ?? String(error)}\n`);
    return ExitCode.failed;
  }
  return exitCode;
}

/** `500ms`, `5s`, `10m`, `1h`; a bare number is milliseconds, as in PostgreSQL settings. */
function parseDuration(value: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|min|h)?$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError('expected a duration such as 500ms, 5s or 10m');
  const unit = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000 }[match[2] ?? 'ms']!;
  return Number(match[1]) * unit;
}

function parseCount(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number');
  return Number(value);
}

/** Whether an applied version was loaded with the schema.sql baseline or run from its own file. */
function appliedVia(version: VersionStatus): 'baseline' | 'migration' | null {
  if (version.state !== 'applied' || !version.record) return null;
  return version.record.status === 'baseline' ? 'baseline' : 'migration';
}

function statusJson(report: StatusReport) {
  return {
    database: report.database,
    pending: report.versions.filter((version) => version.state === 'pending').length,
    problems: report.versions.flatMap((version) => (version.problem ? [version.problem] : [])),
    versions: report.versions.map((version) => ({
      version: version.version,
      name: version.name,
      file: version.file,
      state: version.state,
      appliedVia: appliedVia(version),
      checksum: version.checksum,
      recordedChecksum: version.record?.checksum ?? null,
      appliedAt: version.record?.appliedAt.toISOString() ?? null,
      appliedBy: version.record?.appliedBy ?? null,
      executionMs: version.record?.executionMs ?? null,
      statementsDone: version.record?.statementsDone ?? null,
      error: version.record?.error ?? null,
    })),
  };
}

function statusTable(report: StatusReport): string {
  const header = ['version', 'state', 'via', 'applied at', 'time', 'name'];
  const rows = report.versions.map((version: VersionStatus) => [
    version.version,
    version.state,
    appliedVia(version) ?? '',
    version.record?.appliedAt
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d+Z$/, 'Z') ?? '',
    version.record?.executionMs == null ? '' : formatDuration(version.record.executionMs),
    version.name,
  ]);
  const widths = header.map((_, column) => Math.max(...[header, ...rows].map((row) => row[column].length)));
  const lines = [header, ...rows].map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]))
      .join('  ')
      .trimEnd(),
  );
  const counts = new Map<string, number>();
  for (const version of report.versions) counts.set(version.state, (counts.get(version.state) ?? 0) + 1);
  const summary = [...counts].map(([state, count]) => `${count} ${state}`).join(', ') || 'no migrations';
  const problems = report.versions.flatMap((version) => (version.problem ? [`  ${version.problem}`] : []));
  const footer = problems.length ? ['', 'problems (`up` will stop):', ...problems] : [];
  return [`database ${report.database}: ${summary}`, ...lines, ...footer].join('\n');
}
