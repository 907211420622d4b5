import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { Client, Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { AGENT_ENTITIES, WorkflowRunsDao } from '@plue/agent';
import { AUTH_ENTITIES } from '@plue/auth';
import { COLLABORATION_ENTITIES, IssuesDao } from '@plue/collaboration';
import { createDataSource } from '@plue/db';
import { GIT_ENTITIES, RepositoriesDao } from '@plue/git';
import { benchDatabaseFromEnvironment, prepareBenchDatabase, type BenchDatabase } from './bench-database';
import type { Benchmark } from './benchmarks';
import { dataReadPaths, type ReadPath, type ServiceRole } from './data-paths';
import { pickSamples } from './data-samples';
import { datasetParameters } from './dataset-parameters';
import { describeEnvironment } from './environment';
import { logToStderr } from './log';
import { compareDaoWithRaw, type MeasureOptions } from './measure';
import { explainStatement, type PlanSummary } from './plan-check';
import { isTransactionControl, QueryCaptureLogger, runStatements, type CapturedStatement } from './query-capture';
import { formatDataReport, type PathResult } from './report';

const USAGE_ERROR = 2;
const SEQUENTIAL_SCAN_FOUND = 1;
const STATEMENT_TIMEOUT_MS = 30_000;
const MIN_ISSUES_PER_REPOSITORY = 100;

interface DataOptions {
  issues: number;
  repos: number;
  users: number;
  duration: number;
  warmup: number;
  slice: number;
  concurrency: number;
  samples: number;
  reseed: boolean;
  only?: string;
}

export const dataBenchmark: Benchmark = {
  name: 'data',
  description: 'seeds a large forge dataset and compares the read paths of the DAOs with raw pg running the same SQL',
  run: runDataBenchmark,
};

async function runDataBenchmark(argv: string[]): Promise<number> {
  let options: DataOptions;
  try {
    options = parseOptions(argv);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : USAGE_ERROR;
    throw error;
  }
  const log = logToStderr;
  const database = benchDatabaseFromEnvironment();
  const parameters = datasetParameters({ issues: options.issues, repositories: options.repos, users: options.users });
  const dataset = await prepareBenchDatabase(database, parameters, { reseed: options.reseed, log });
  const { environment, samples } = await withAdminClient(database, async (client) => ({
    environment: await describeEnvironment(client),
    samples: await pickSamples(client, parameters, options.samples),
  }));

  const measure: MeasureOptions = {
    concurrency: options.concurrency,
    durationMs: options.duration,
    warmupMs: options.warmup,
    sliceMs: options.slice,
  };
  const services = await openServices(database, options.concurrency);
  try {
    const daos = {
      issues: new IssuesDao(services.plue_collaboration.dataSource),
      repositories: new RepositoriesDao(services.plue_git.dataSource),
      workflowRuns: new WorkflowRunsDao(services.plue_agent.dataSource),
    };
    const paths = (await dataReadPaths(daos, samples)).filter(
      (path) => !options.only || path.name.includes(options.only),
    );
    if (paths.length === 0) {
      log(`no path name contains "${options.only}"`);
      return USAGE_ERROR;
    }
    const results: PathResult[] = [];
    for (const [index, path] of paths.entries()) {
      log(`[${index + 1}/${paths.length}] ${path.name}…`);
      const result = await measurePath(path, services[path.role], measure);
      const { dao, raw } = result.comparison;
      log(
        `    DAO ${Math.round(dao.opsPerSecond)} ops/s, raw ${Math.round(raw.opsPerSecond)} ops/s, ` +
          `ratio ${(dao.opsPerSecond / raw.opsPerSecond).toFixed(2)}, ` +
          `Node CPU ${Math.round(dao.clientCpuMicrosPerOp)} / ${Math.round(raw.clientCpuMicrosPerOp)} µs per call; ` +
          `plan: ${result.plans.map((plan) => plan.top).join('; ')}`,
      );
      results.push(result);
    }
    process.stdout.write(
      formatDataReport({ environment, dataset, measure, inputsPerPath: samples.repositories.length, results }),
    );
    return results.some((result) => result.isIssueList && result.sequentialScanOnIssues) ? SEQUENTIAL_SCAN_FOUND : 0;
  } finally {
    await closeServices(services);
  }
}

function parseOptions(argv: string[]): DataOptions {
  const program = new Command('data')
    .description(dataBenchmark.description)
    .exitOverride()
    .option('--issues <count>', 'issues in the dataset', parseCount, 1_000_000)
    .option('--repos <count>', 'repositories in the dataset', parseCount, 1_000)
    .option('--users <count>', 'users in the dataset', parseCount, 10_000)
    .option(
      '--duration <duration>',
      'measured time per path, split between DAO and raw (e.g. 10s, 500ms)',
      parseDuration,
      10_000,
    )
    .option('--warmup <duration>', 'unmeasured warm-up per path and side', parseDuration, 1_000)
    .option('--slice <duration>', 'length of one alternating turn of a side', parseDuration, 500)
    .option('--concurrency <count>', 'calls in flight (and pool size) per side', parseCount, 4)
    .option('--samples <count>', 'distinct inputs each path rotates through', parseCount, 16)
    .option('--only <text>', 'measure only the paths whose name contains text')
    .option('--reseed', 'seed again even when plue_bench holds the same dataset', false)
    .addHelpText(
      'after',
      '\nDATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) names a role that may create databases;\n' +
        'the benchmark (re)creates plue_bench on that server. Exit codes: 0 done, 1 an issues.list plan scans issues\n' +
        'sequentially (or an error), 2 usage error.',
    );
  program.parse(argv, { from: 'user' });
  const options = program.opts<DataOptions>();
  // Each sampled repository needs a second page of open issues and someone mentioned in it.
  if (options.issues < MIN_ISSUES_PER_REPOSITORY * options.repos) {
    program.error(`error: --issues must be at least ${MIN_ISSUES_PER_REPOSITORY} × --repos`);
  }
  return options;
}

function parseCount(value: string): number {
  const count = Number(value.replaceAll('_', ''));
  if (!Number.isSafeInteger(count) || count < 1) throw new InvalidArgumentError('must be a positive integer');
  return count;
}

function parseDuration(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(value);
  if (!match) throw new InvalidArgumentError('must be a duration such as 500ms, 10s or 1m');
  const unitMs = { ms: 1, s: 1_000, m: 60_000 }[match[2] as 'ms' | 's' | 'm'];
  return Number(match[1]) * unitMs;
}

/** A service role's two ways in: the DAO's DataSource and a raw pg pool, with the same size and settings. */
interface ServiceConnections {
  dataSource: DataSource;
  capture: QueryCaptureLogger;
  pool: Pool;
}

type Services = Record<ServiceRole, ServiceConnections>;

async function openServices(database: BenchDatabase, poolSize: number): Promise<Services> {
  const roles: ServiceRole[] = ['plue_collaboration', 'plue_git', 'plue_agent'];
  const entities = [...AUTH_ENTITIES, ...GIT_ENTITIES, ...COLLABORATION_ENTITIES, ...AGENT_ENTITIES];
  const services = {} as Services;
  for (const role of roles) {
    const url = database.urlFor(role);
    const dataSource = createDataSource(
      { url, poolSize, statementTimeoutMs: STATEMENT_TIMEOUT_MS, applicationName: `plue-bench dao ${role}` },
      entities,
    );
    const capture = new QueryCaptureLogger();
    dataSource.setOptions({ logger: capture });
    await dataSource.initialize();
    // The same pg settings TypeORM's postgres driver derives from createDataSource's options.
    const pool = new Pool({
      connectionString: url,
      max: poolSize,
      application_name: `plue-bench raw ${role}`,
      statement_timeout: STATEMENT_TIMEOUT_MS,
    });
    services[role] = { dataSource, capture, pool };
  }
  return services;
}

async function closeServices(services: Services): Promise<void> {
  for (const { dataSource, pool } of Object.values(services)) {
    await dataSource.destroy();
    await pool.end();
  }
}

async function withAdminClient<T>(database: BenchDatabase, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: database.urlFor(), application_name: 'plue-bench setup' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Captures the statements of the DAO call for every input, EXPLAINs them, then measures the DAO
 * call against raw pg running the captured data statements with the same parameters.
 */
async function measurePath(path: ReadPath, service: ServiceConnections, measure: MeasureOptions): Promise<PathResult> {
  const statementsByInput: CapturedStatement[][] = [];
  let rows = 0;
  for (let input = 0; input < path.inputCount; input++) {
    const { result, statements } = await service.capture.capture(() => path.call(input));
    statementsByInput.push(statements);
    rows += path.countRows(result);
  }
  const dataStatementsByInput = statementsByInput.map((statements) =>
    statements.filter((statement) => !isTransactionControl(statement)),
  );

  let firstInputPlans: PlanSummary[] = [];
  let sequentialScanOnIssues = false;
  for (const [input, statements] of dataStatementsByInput.entries()) {
    const plans: PlanSummary[] = [];
    for (const statement of statements) plans.push(await explainStatement(service.pool, statement, 'issues'));
    if (input === 0) firstInputPlans = plans;
    sequentialScanOnIssues ||= plans.some((plan) => plan.sequentialScan);
  }

  const comparison = await compareDaoWithRaw(
    (iteration) => path.call(iteration % path.inputCount),
    (iteration) => runStatements(service.pool, dataStatementsByInput[iteration % path.inputCount]),
    measure,
  );
  const firstStatements = statementsByInput[0];
  return {
    name: path.name,
    role: path.role,
    rowsPerCall: rows / path.inputCount,
    statementsPerCall: firstStatements.length,
    transactionStatementsPerCall: firstStatements.filter(isTransactionControl).length,
    comparison,
    plans: firstInputPlans,
    sequentialScanOnIssues,
    isIssueList: path.isIssueList,
  };
}
