import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern } from '@nestjs/microservices';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, headers as natsHeaders, nanos, type NatsConnection } from '@nats-io/transport-node';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { Client, Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { BranchPushed, EVENT_HEADERS, STREAMS, type EventPayload } from '@plue/contracts';
import { createDataSource, inTransaction } from '@plue/db';
import { JetStreamErrorFilter, JetStreamServer, OutboxRelay, OutboxWriter, provisionStreams } from '@plue/messaging';
import type { NatsServer } from '@plue/testing';
import type { Benchmark } from './benchmarks';
import { describeEnvironment, type Environment } from './environment';
import { formatSeconds, logToStderr, type Log } from './log';
import { percentile } from './measure';

const USAGE_ERROR = 2;
const FAULT_RUN_FAILED = 1;
const DEFAULT_SERVER_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const THROUGHPUT_DATABASE = 'plue_bench_events';
const FAULT_DATABASE = 'plue_bench_faults';
const repositoryRoot = path.resolve(__dirname, '../..');
const migratorMain = path.join(repositoryRoot, 'apps/migrator/dist/main.js');
const faultSuite = path.join(repositoryRoot, 'libs/messaging/test/faults');
const SUBJECT = BranchPushed.subject;
const RAW_STREAM = 'BENCH_RAW';
const RAW_SUBJECT = 'bench.raw.branch_pushed';
/** Aggregates the events spread over: per-aggregate ordering must not be what limits throughput. */
const AGGREGATES = 1_000;

interface EventsOptions {
  events: number;
  warmup: number;
  concurrency: number;
  faults: boolean;
  faultEvents: number;
  faultSeconds: number;
  seed: number;
}

export const eventsBenchmark: Benchmark = {
  name: 'events',
  description:
    'raw JetStream publish→consume vs outbox→relay→JetStream→inbox consumer (events/s, p50/p99), then the large fault run',
  run: runEventsBenchmark,
};

/** One path's figures: throughput over the measured events, end-to-end latency per event. */
export interface PathFigures {
  events: number;
  eventsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Median time of each leg between the stamped stages (start → stage 0 → … → end). */
  legP50Ms: number[];
}

async function runEventsBenchmark(argv: string[]): Promise<number> {
  let options: EventsOptions;
  try {
    options = parseOptions(argv);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : USAGE_ERROR;
    throw error;
  }
  const log = logToStderr;
  const serverUrl = process.env.DATABASE_URL ?? DEFAULT_SERVER_URL;
  const databaseUrl = await freshMigratedDatabase(serverUrl, THROUGHPUT_DATABASE, log);
  const environment = await withClient(databaseUrl, describeEnvironment);

  const nats = await startNatsServer();
  let throughput: ThroughputReport;
  try {
    log(`nats-server on ${nats.url}; ${options.warmup} warm-up + ${options.events} measured events per path`);
    const raw = await measureRawJetStream(nats.url, options, log);
    const commitsPerSecond = await measureCommitRate(databaseUrl, options.concurrency, log);
    const outboxWrite = await measureOutboxWrite(databaseUrl, options, log);
    const outbox = await measureOutboxPath(nats.url, databaseUrl, options, log);
    throughput = { raw, outboxWrite, outbox, commitsPerSecond, natsVersion: await natsServerVersion(nats.url) };
  } finally {
    await nats.stop();
  }

  let faultRun: FaultRunSummary | undefined;
  if (options.faults) {
    const faultDatabaseUrl = await freshMigratedDatabase(serverUrl, FAULT_DATABASE, log);
    faultRun = await runFaultProgram(faultDatabaseUrl, options, log);
  }
  process.stdout.write(formatEventsReport({ environment, options, throughput, faultRun }));
  return faultRun && !faultRun.passed ? FAULT_RUN_FAILED : 0;
}

function parseOptions(argv: string[]): EventsOptions {
  const program = new Command('events')
    .description(eventsBenchmark.description)
    .exitOverride()
    .option('--events <count>', 'measured events per path', parseCount, 10_000)
    .option('--warmup <count>', 'unmeasured events per path before measuring', parseCount, 1_000)
    .option('--concurrency <count>', 'producer transactions (or raw publishes) in flight', parseCount, 8)
    .option('--no-faults', 'skip the fault run')
    .option('--fault-events <count>', 'events per producing service in the fault run', parseCount, 10_000)
    .option('--fault-seconds <count>', 'seconds the fault run spreads its events over', parseCount, 40)
    .option('--seed <number>', 'seed of the fault run', parseCount, 20_241)
    .addHelpText(
      'after',
      `\nDATABASE_URL (default ${DEFAULT_SERVER_URL}) names a role that may create databases; the benchmark\n` +
        `(re)creates ${THROUGHPUT_DATABASE} and ${FAULT_DATABASE} there and starts its own nats-server (JetStream, temporary\n` +
        'store). Exit codes: 0 done, 1 the fault run lost, duplicated or reordered events (or an error), 2 usage error.',
    );
  program.parse(argv, { from: 'user' });
  return program.opts<EventsOptions>();
}

function parseCount(value: string): number {
  const count = Number(value.replaceAll('_', ''));
  if (!Number.isSafeInteger(count) || count < 1) throw new InvalidArgumentError('must be a positive integer');
  return count;
}

/**
 * The NATS harness lives in @plue/testing, a test library without a build: its nats-server.ts
 * (node built-ins only) is loaded from source through the fault suite's swc require hook.
 */
function startNatsServer(): Promise<NatsServer> {
  const load = createRequire(__filename);
  load(path.join(faultSuite, 'register.js'));
  const harness = load(path.join(repositoryRoot, 'libs/testing/src/nats-server.ts')) as typeof import('@plue/testing');
  return harness.startNatsServer();
}

// ---------------------------------------------------------------------------------------------
// Payloads and latency bookkeeping

function samplePayload(index: number): EventPayload<typeof SUBJECT> {
  return {
    repoId: 1 + (index % AGGREGATES),
    branch: 'main',
    ref: 'refs/heads/main',
    beforeCommitSha: index.toString(16).padStart(40, '0'),
    headCommitSha: (index + 1).toString(16).padStart(40, '0'),
    pusherId: 42,
    forced: false,
  };
}

/** Start times by event id, and the latency of every event that arrived. */
class LatencyRecorder {
  private readonly started = new Map<string, number>();
  private readonly stages = new Map<string, number[]>();
  private readonly latencies: number[] = [];
  private legs: number[][] = [];
  private firstStart = Number.POSITIVE_INFINITY;
  private lastEnd = 0;
  private waiter: (() => void) | undefined;
  private expected = 0;

  start(id: string, at: number): void {
    this.started.set(id, at);
    this.firstStart = Math.min(this.firstStart, at);
  }

  /** The event passed intermediate stage `stage` (0, 1…) of its way. */
  stamp(id: string, stage: number): void {
    if (!this.started.has(id)) return;
    const times = this.stages.get(id) ?? [];
    times[stage] = performance.now();
    this.stages.set(id, times);
  }

  end(id: string): void {
    const at = performance.now();
    const startedAt = this.started.get(id);
    if (startedAt === undefined) return; // a redelivery of an event already counted
    this.started.delete(id);
    this.latencies.push(at - startedAt);
    const times = [startedAt, ...(this.stages.get(id) ?? []), at];
    this.stages.delete(id);
    times.slice(1).forEach((time, leg) => (this.legs[leg] ??= []).push(time - times[leg]));
    this.lastEnd = at;
    if (this.latencies.length >= this.expected) this.waiter?.();
  }

  /** Resolves when `count` events have arrived since the last reset. */
  arrived(count: number, timeoutMs: number): Promise<void> {
    this.expected = count;
    if (this.latencies.length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.latencies.length} of ${count} events arrived within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiter = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  reset(): void {
    this.started.clear();
    this.stages.clear();
    this.latencies.length = 0;
    this.legs = [];
    this.firstStart = Number.POSITIVE_INFINITY;
    this.lastEnd = 0;
  }

  figures(): PathFigures {
    const sorted = Float64Array.from(this.latencies).sort();
    const seconds = (this.lastEnd - this.firstStart) / 1000;
    return {
      events: sorted.length,
      eventsPerSecond: sorted.length / seconds,
      p50Ms: percentile(sorted, 50),
      p99Ms: percentile(sorted, 99),
      legP50Ms: this.legs.map((leg) => percentile(Float64Array.from(leg).sort(), 50)),
    };
  }
}

/** Runs `produce(index)` for `count` indexes, `concurrency` at a time. */
async function closedLoop(
  count: number,
  concurrency: number,
  produce: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await produce(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** Warm-up, then the measured events; both through `produce`, the arrivals through `recorder`. */
async function measurePath(
  recorder: LatencyRecorder,
  options: EventsOptions,
  produce: (index: number) => Promise<void>,
): Promise<PathFigures> {
  const timeoutMs = 120_000 + options.events * 10;
  recorder.reset();
  await closedLoop(options.warmup, options.concurrency, produce);
  await recorder.arrived(options.warmup, timeoutMs);
  recorder.reset();
  await closedLoop(options.events, options.concurrency, (index) => produce(options.warmup + index));
  await recorder.arrived(options.events, timeoutMs);
  return recorder.figures();
}

// ---------------------------------------------------------------------------------------------
// Raw JetStream: publish with the outbox's headers and message id, consume with explicit ack

async function measureRawJetStream(natsUrl: string, options: EventsOptions, log: Log): Promise<PathFigures> {
  const publisher = await connect({ servers: natsUrl, name: 'bench raw publisher' });
  const subscriber = await connect({ servers: natsUrl, name: 'bench raw consumer' });
  try {
    const template = STREAMS.find((stream) => stream.subjects.some((subject) => subject === 'plue.git.>'));
    if (!template) throw new Error('no PLUE_GIT stream definition');
    // The same stream settings as the production streams, on a subject of its own.
    await provisionStreams(await jetstreamManager(publisher), {
      streams: [{ ...template, name: RAW_STREAM, subjects: [RAW_SUBJECT] }],
    });
    const jsm = await jetstreamManager(subscriber);
    await jsm.consumers.add(RAW_STREAM, {
      durable_name: 'bench-raw',
      filter_subject: RAW_SUBJECT,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(30_000),
      max_ack_pending: 1_000,
    });
    const recorder = new LatencyRecorder();
    const consumer = await jetstream(subscriber).consumers.get(RAW_STREAM, 'bench-raw');
    const messages = await consumer.consume();
    const consuming = (async () => {
      for await (const message of messages) {
        recorder.end(message.headers?.get(EVENT_HEADERS.eventId) ?? '');
        message.ack();
      }
    })();

    const js = jetstream(publisher);
    const figures = await measurePath(recorder, options, async (index) => {
      const id = randomUUID();
      const headers = natsHeaders();
      headers.set(EVENT_HEADERS.eventId, id);
      headers.set(EVENT_HEADERS.eventType, SUBJECT);
      headers.set(EVENT_HEADERS.schemaVersion, String(BranchPushed.version));
      headers.set(EVENT_HEADERS.occurredAt, new Date().toISOString());
      headers.set(EVENT_HEADERS.aggregateType, BranchPushed.aggregateType);
      headers.set(EVENT_HEADERS.aggregateId, String(1 + (index % AGGREGATES)));
      headers.set(EVENT_HEADERS.aggregateVersion, String(1 + Math.floor(index / AGGREGATES)));
      recorder.start(id, performance.now());
      await js.publish(RAW_SUBJECT, JSON.stringify(samplePayload(index)), { msgID: id, headers });
    });
    messages.stop();
    await consuming;
    log(`raw JetStream: ${Math.round(figures.eventsPerSecond)} events/s, p50 ${figures.p50Ms.toFixed(2)} ms`);
    return figures;
  } finally {
    await publisher.close();
    await subscriber.close();
  }
}

// ---------------------------------------------------------------------------------------------
// The full path: git emits in a transaction, its relay publishes, collaboration's inbox handles

@Controller()
class BenchBranchPushedHandler {
  /** No work of its own: what is measured is the inbox transaction around it. */
  @EventPattern<string>(SUBJECT)
  async handle(): Promise<void> {}
}

@Module({ controllers: [BenchBranchPushedHandler] })
class BenchConsumerModule {}

/**
 * The producer's share of the full path alone: the emitting transaction, no relay or consumer
 * (agent's outbox, which nothing relays during the benchmark). Latency is BEGIN to COMMIT.
 */
async function measureOutboxWrite(databaseUrl: string, options: EventsOptions, log: Log): Promise<PathFigures> {
  const agent = await openDataSource(databaseUrl, 'plue_agent', options.concurrency);
  try {
    const recorder = new LatencyRecorder();
    const writer = new OutboxWriter({ schema: 'agent' });
    const figures = await measurePath(recorder, options, async (index) => {
      const startedAt = performance.now();
      const event = await inTransaction(agent, (tx) =>
        writer.emit(tx, SUBJECT, 1 + (index % AGGREGATES), samplePayload(index)),
      );
      recorder.start(event.id, startedAt);
      recorder.end(event.id);
    });
    log(`outbox write only: ${Math.round(figures.eventsPerSecond)} events/s, p50 ${figures.p50Ms.toFixed(2)} ms`);
    return figures;
  } finally {
    await agent.destroy();
  }
}

async function measureOutboxPath(
  natsUrl: string,
  databaseUrl: string,
  options: EventsOptions,
  log: Log,
): Promise<PathFigures> {
  const recorder = new LatencyRecorder();
  const git = await openDataSource(databaseUrl, 'plue_git', options.concurrency + 2);
  const collaboration = await openDataSource(databaseUrl, 'plue_collaboration', 16);
  const relayConnection = await connect({ servers: natsUrl, name: 'bench relay' });
  const consumerConnection = await connect({ servers: natsUrl, name: 'bench consumer' });
  const relay = new OutboxRelay({
    schema: 'git',
    dataSource: git,
    connection: relayConnection,
    logger: quietLogger,
    hooks: { afterPublish: (ids) => ids.forEach((id) => recorder.stamp(id, 1)) },
  });
  const app = await NestFactory.createMicroservice(BenchConsumerModule, {
    strategy: new JetStreamServer({
      service: 'collaboration',
      schema: 'collaboration',
      dataSource: collaboration,
      connection: consumerConnection,
      hooks: { afterCommit: (event) => recorder.end(event.id) },
      logger: quietLogger,
    }),
    logger: ['error', 'warn'],
  });
  app.useGlobalFilters(new JetStreamErrorFilter());
  try {
    relay.start();
    await app.listen();
    const writer = new OutboxWriter({ schema: 'git' });
    const figures = await measurePath(recorder, options, async (index) => {
      const startedAt = performance.now();
      const event = await inTransaction(git, async (tx) => {
        const emitted = await writer.emit(tx, SUBJECT, 1 + (index % AGGREGATES), samplePayload(index));
        recorder.start(emitted.id, startedAt);
        return emitted;
      });
      recorder.stamp(event.id, 0);
    });
    log(`outbox path: ${Math.round(figures.eventsPerSecond)} events/s, p50 ${figures.p50Ms.toFixed(2)} ms`);
    return figures;
  } finally {
    await app.close();
    await relay.stop();
    await relayConnection.close();
    await consumerConnection.close();
    await git.destroy();
    await collaboration.destroy();
  }
}

const quietLogger = {
  log: () => undefined,
  warn: (message: unknown) => logToStderr(`warn: ${String(message)}`),
  error: (message: unknown) => logToStderr(`error: ${String(message)}`),
};

async function openDataSource(databaseUrl: string, role: string, poolSize: number): Promise<DataSource> {
  const dataSource = createDataSource(
    {
      url: roleUrl(databaseUrl, role),
      poolSize,
      statementTimeoutMs: 30_000,
      applicationName: `plue-bench events ${role}`,
    },
    [],
  );
  await dataSource.initialize();
  return dataSource;
}

/**
 * PostgreSQL's own ceiling: one-row INSERT transactions at the same concurrency. Every event of the
 * full path costs two such commits (the producer's and the consumer's inbox), plus a share of the
 * relay's batched UPDATE.
 */
async function measureCommitRate(databaseUrl: string, concurrency: number, log: Log): Promise<number> {
  const pool = new Pool({ connectionString: databaseUrl, max: concurrency, application_name: 'plue-bench commits' });
  try {
    await pool.query(
      'CREATE TABLE IF NOT EXISTS bench_commit_rate (id bigint GENERATED ALWAYS AS IDENTITY, at timestamptz)',
    );
    const durationMs = 3_000;
    let commits = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        const client = await pool.connect();
        try {
          while (performance.now() - started < durationMs) {
            await client.query('BEGIN');
            await client.query('INSERT INTO bench_commit_rate (at) VALUES (now())');
            await client.query('COMMIT');
            commits += 1;
          }
        } finally {
          client.release();
        }
      }),
    );
    const perSecond = (commits * 1000) / (performance.now() - started);
    log(`PostgreSQL: ${Math.round(perSecond)} commits/s at concurrency ${concurrency}`);
    return perSecond;
  } finally {
    await pool.end();
  }
}

async function natsServerVersion(natsUrl: string): Promise<string> {
  const connection: NatsConnection = await connect({ servers: natsUrl });
  try {
    return connection.info?.version ?? 'unknown';
  } finally {
    await connection.close();
  }
}

// ---------------------------------------------------------------------------------------------
// The large fault run: the fault suite's driver, as a program of its own

interface ConsumerOutcome {
  consumer: string;
  expected: number;
  processed: number;
  deadLettered: number;
  lost: number;
  duplicates: number;
  orderViolations: number;
  poisonInjected: number;
  unexpected: number;
  doubleOutcomes: number;
  healthyDeadLettered: number;
}

interface FaultRunSummary {
  seed: number;
  committedEvents: number;
  rolledBackEvents: number;
  faults: Record<string, number>;
  consumers: ConsumerOutcome[];
  streamDuplicates: number;
  workerFailures: string[];
  failedStarts: number;
  drained: boolean;
  productionMs: number;
  drainMs: number;
  totalMs: number;
  table: string;
  passed: boolean;
}

/**
 * The suite is TypeScript run from source (workspace libs by their @plue/source condition, compiled
 * by swc on require), like `npm test` runs it; its result comes back as one JSON line on stdout.
 */
async function runFaultProgram(databaseUrl: string, options: EventsOptions, log: Log): Promise<FaultRunSummary> {
  log(`fault run: ${options.faultEvents} events per producer over ${options.faultSeconds} s, seed ${options.seed}…`);
  const args = [
    '--conditions=@plue/source',
    '--enable-source-maps',
    '-r',
    path.join(faultSuite, 'register.js'),
    path.join(faultSuite, 'fault-run.main.ts'),
    databaseUrl,
    String(options.faultEvents),
    String(options.faultSeconds),
    String(options.seed),
  ];
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: repositoryRoot, stdio: ['ignore', 'pipe', 2] });
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`the fault run exited with code ${code}`)),
    );
  });
  const result = JSON.parse(output.trim().split('\n').pop() ?? '{}') as Omit<FaultRunSummary, 'passed'>;
  const passed =
    result.drained &&
    result.workerFailures.length === 0 &&
    result.streamDuplicates === 0 &&
    result.consumers.every(
      (outcome) =>
        outcome.lost === 0 &&
        outcome.duplicates === 0 &&
        outcome.orderViolations === 0 &&
        outcome.unexpected === 0 &&
        outcome.doubleOutcomes === 0 &&
        outcome.healthyDeadLettered === 0 &&
        outcome.deadLettered === outcome.poisonInjected,
    );
  log(`fault run ${passed ? 'passed' : 'FAILED'} in ${formatSeconds(result.totalMs)}`);
  return { ...result, passed };
}

// ---------------------------------------------------------------------------------------------
// Databases and the report

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, application_name: 'plue-bench events setup' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function roleUrl(databaseUrl: string, role: string): string {
  const url = new URL(databaseUrl);
  url.username = role;
  url.password = '';
  return url.toString();
}

/** Drops and recreates `name`, then migrates it with the built migrator: each run starts empty. */
async function freshMigratedDatabase(serverUrl: string, name: string, log: Log): Promise<string> {
  if (!existsSync(migratorMain)) {
    throw new Error(`${migratorMain} is missing: build it with \`npx nx run migrator:build\``);
  }
  await withClient(serverUrl, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${name} TEMPLATE template0`);
  });
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const exitCode = await new Promise<number>((resolve, reject) => {
    // The migrator's stdout goes to our stderr: our stdout carries only the results.
    const child = spawn(process.execPath, [migratorMain, 'up'], {
      env: { ...process.env, DATABASE_URL: url.toString() },
      stdio: ['ignore', 2, 2],
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? 1));
  });
  if (exitCode !== 0) throw new Error(`the migrator exited with code ${exitCode}`);
  log(`created and migrated ${name}`);
  return url.toString();
}

interface ThroughputReport {
  raw: PathFigures;
  outboxWrite: PathFigures;
  outbox: PathFigures;
  commitsPerSecond: number;
  natsVersion: string;
}

function formatEventsReport(report: {
  environment: Environment;
  options: EventsOptions;
  throughput: ThroughputReport;
  faultRun: FaultRunSummary | undefined;
}): string {
  const { environment, options, throughput, faultRun } = report;
  const { raw, outbox } = throughput;
  const ratio = outbox.eventsPerSecond / raw.eventsPerSecond;
  const ceiling = throughput.commitsPerSecond / 2;
  const payloadBytes = JSON.stringify(samplePayload(0)).length;
  const legs = outbox.legP50Ms.map((ms) => ms.toFixed(2));
  const row = (name: string, figures: PathFigures, share: string) =>
    `| ${name} | ${figures.events.toLocaleString('en-US')} | ${Math.round(figures.eventsPerSecond).toLocaleString('en-US')} | ` +
    `${figures.p50Ms.toFixed(2)} | ${figures.p99Ms.toFixed(2)} | ${share} |`;
  const lines = [
    `## Events: raw JetStream vs the outbox path (${environment.date})`,
    '',
    `- Machine: ${environment.cpus}, ${environment.memory} RAM, ${environment.os}`,
    `- Node ${environment.node}; ${environment.postgres}; nats-server ${throughput.natsVersion} (JetStream, file storage)`,
    `- Run: ${options.events.toLocaleString('en-US')} measured events per path after ${options.warmup} warm-up, ` +
      `${options.concurrency} in flight, \`${SUBJECT}\` payloads (${payloadBytes} bytes) with the full header envelope ` +
      `over ${AGGREGATES} aggregates; producer, relay and consumer in one Node process`,
    '- Raw: JetStream publish (message id, awaiting the ack) → durable pull consumer with explicit ack; latency from ' +
      'publish to delivery',
    '- Outbox path: transaction inserting the outbox row → relay (LISTEN/NOTIFY, batch publish, UPDATE) → JetStream → ' +
      'consumer inbox transaction (no-op handler) → commit; latency from BEGIN to the inbox commit. The last row ' +
      'measures the emitting transaction alone (BEGIN to COMMIT)',
    '',
    '| path | events | events/s | p50 ms | p99 ms | ratio to raw |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    row('raw JetStream publish → consume', raw, '1.00'),
    row('outbox → relay → JetStream → inbox', outbox, ratio.toFixed(3)),
    row(
      '(part) transaction with outbox row only',
      throughput.outboxWrite,
      (throughput.outboxWrite.eventsPerSecond / raw.eventsPerSecond).toFixed(3),
    ),
    '',
    `Where the outbox path's time goes (medians per event): emitting transaction ${legs[0]} ms, then until the ` +
      `relay has the broker's ack ${legs[1]} ms, then until the consumer's inbox transaction committed ${legs[2]} ms.`,
    '',
    `PostgreSQL alone commits ${Math.round(throughput.commitsPerSecond).toLocaleString('en-US')} one-row transactions/s ` +
      `at concurrency ${options.concurrency}; at two commits per event that is a ceiling of ` +
      `${Math.round(ceiling).toLocaleString('en-US')} events/s, of which the outbox path reaches ` +
      `${((100 * outbox.eventsPerSecond) / ceiling).toFixed(0)} %.`,
  ];
  if (faultRun) {
    const faults = Object.entries(faultRun.faults)
      .map(([name, count]) => `${name} ${count}`)
      .join(', ');
    lines.push(
      '',
      `### Fault run (seed ${faultRun.seed}): ${faultRun.passed ? 'passed' : '**FAILED**'}`,
      '',
      `- ${faultRun.committedEvents.toLocaleString('en-US')} events committed (${faultRun.rolledBackEvents} rolled back ` +
        `with their transaction) over ${formatSeconds(faultRun.productionMs)}, drained ${formatSeconds(faultRun.drainMs)} ` +
        `later; whole run ${formatSeconds(faultRun.totalMs)}`,
      `- Faults: ${faults}`,
      `- Duplicate messages in the streams: ${faultRun.streamDuplicates}; worker failures: ${faultRun.workerFailures.length}; ` +
        `worker starts that found NATS unreachable and were retried: ${faultRun.failedStarts}`,
      '',
      faultRun.table,
    );
  }
  return `${lines.join('\n')}\n`;
}
