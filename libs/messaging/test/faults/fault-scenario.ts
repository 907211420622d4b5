import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { EVENT_HEADERS, contractFor, streamFor } from '@plue/contracts';
import type { ConsumerTuning } from '@plue/messaging';
import { startNatsServer, type NatsServer } from '@plue/testing';
import type { ConsumerConfig } from './consumer.worker';
import { consumerOutcomes, unpublishedRows, type ConsumerOutcome, type RawPoison } from './fault-report';
import { CONSUMERS, PRODUCERS, faultTablesDdl, type FaultSubject } from './fault-workload';
import type { ProducerConfig } from './producer.worker';
import type { RelayConfig } from './relay.worker';
import { randomInt, seededRandom } from './seeded-random';
import { SupervisedWorker, WorkerProcess } from './worker-process';
import { connectNats, type CrashPlan } from './worker-runtime';

export interface FaultScenarioOptions {
  /** Superuser URL of a migrated database that belongs to this run. */
  databaseUrl: string;
  seed: number;
  eventsPerProducer: number;
  /** The producers spread their events over this time; the faults happen inside it. */
  productionMs: number;
  /** Aggregates (repositories, issues) per producer: events of one aggregate must apply in order. */
  aggregates: number;
  handlerPoisonPerProducer: number;
  rawPoisonPerSubject: number;
  consumerInstances: number;
  relayInstances: number;
  /** Planned crashes (after-commit, after-publish) per consumer or relay instance. */
  crashesPerInstance: number;
  /** The SIGKILLs of consumer instances at random times, besides the planned crashes. */
  randomKills: number;
  /** Share of producer transactions that roll back after emitting. */
  rollbackShare: number;
  tuning: Partial<ConsumerTuning> & { ackWaitMs: number };
  drainTimeoutMs: number;
  log: (line: string) => void;
}

export interface FaultScenarioResult {
  seed: number;
  committedEvents: number;
  rolledBackEvents: number;
  faults: {
    consumerKills: number;
    consumerCrashesAfterCommit: number;
    relayCrashesAfterPublish: number;
    natsRestarts: number;
    natsPauseMs: number;
    handlerPoison: number;
    rawPoison: number;
  };
  consumers: ConsumerOutcome[];
  /** Messages in the streams beyond the distinct events published (0: the relay's duplicates were deduplicated). */
  streamDuplicates: number;
  unpublishedRows: number;
  workerFailures: string[];
  /** Worker starts that failed (NATS unreachable) and were retried by the supervisor. */
  failedStarts: number;
  drained: boolean;
  productionMs: number;
  drainMs: number;
  totalMs: number;
}

/**
 * Runs the workload under faults and reports per consumer. Everything it starts (nats-server,
 * worker processes) it stops, whatever happens.
 */
export async function runFaultScenario(options: FaultScenarioOptions): Promise<FaultScenarioResult> {
  const started = performance.now();
  // Separate streams, so that restart delays (drawn whenever a worker dies) do not shift the
  // plan: workload, crash points, kill times and victims follow from the seed alone.
  const random = seededRandom(options.seed);
  const victims = seededRandom(options.seed + 1);
  const restartDelays = seededRandom(options.seed + 2);
  const restartDelay = () => randomInt(restartDelays, 100, 600);
  const { log } = options;
  const admin = new Client({ connectionString: options.databaseUrl, application_name: 'fault driver' });
  await admin.connect();
  const workers: SupervisedWorker[] = [];
  let nats: NatsServer | undefined;
  let driverConnection: NatsConnection | undefined;
  try {
    const server = await startNatsServer();
    nats = server;
    const natsUrl = server.url;
    for (const statement of faultTablesDdl()) await admin.query(statement);
    const urlFor = (role: string) => {
      const url = new URL(options.databaseUrl);
      url.username = role;
      url.password = '';
      return url.toString();
    };
    const crashPlan = (point: CrashPlan['point'], incarnation: number, min: number, max: number, seed: number) =>
      incarnation < options.crashesPerInstance
        ? { point, at: randomInt(seededRandom(seed + incarnation * 7919), min, max) }
        : undefined;

    const consumerSlots = CONSUMERS.flatMap((spec) =>
      Array.from({ length: options.consumerInstances }, (_, instance) => {
        const slotSeed = Math.floor(random() * 2 ** 31);
        return new SupervisedWorker(
          `consumer ${spec.service}/${instance}`,
          'consumer.worker.ts',
          (incarnation): ConsumerConfig => ({
            service: spec.service,
            subjects: spec.subjects,
            databaseUrl: urlFor(spec.role),
            natsUrl,
            crash: crashPlan('after-commit', incarnation, 20, 250, slotSeed),
            tuning: options.tuning,
            poolSize: 4,
          }),
          restartDelay,
        );
      }),
    );
    const relaySlots = PRODUCERS.flatMap((spec) =>
      Array.from({ length: options.relayInstances }, (_, instance) => {
        const slotSeed = Math.floor(random() * 2 ** 31);
        return new SupervisedWorker(
          `relay ${spec.service}/${instance}`,
          'relay.worker.ts',
          (incarnation): RelayConfig => ({
            service: spec.service,
            databaseUrl: urlFor(spec.role),
            natsUrl,
            crash: crashPlan('after-publish', incarnation, 2, 25, slotSeed),
            publishTimeoutMs: 2_000,
            pollIntervalMs: 500,
            leaderPollMs: 300,
          }),
          restartDelay,
        );
      }),
    );
    workers.push(...consumerSlots, ...relaySlots);
    // Consumers first: their durables exist before the first event is published.
    await Promise.all(consumerSlots.map((slot) => slot.start()));
    await Promise.all(relaySlots.map((slot) => slot.start()));
    log(`workers ready after ${Math.round(performance.now() - started)} ms (seed ${options.seed})`);

    driverConnection = await connectNats(natsUrl, 'fault driver');
    const rawPoison: RawPoison = { 'plue.git.branch.pushed': [], 'plue.collaboration.comment.created': [] };
    const faults: FaultScenarioResult['faults'] = {
      consumerKills: 0,
      consumerCrashesAfterCommit: 0,
      relayCrashesAfterPublish: 0,
      natsRestarts: 0,
      natsPauseMs: 0,
      handlerPoison: 0,
      rawPoison: 0,
    };

    const productionStarted = performance.now();
    const producers = PRODUCERS.map((spec, index) => {
      const firstNumber = 1 + index * options.eventsPerProducer;
      const poisonNumbers = Array.from(
        { length: options.handlerPoisonPerProducer },
        (_, n) =>
          firstNumber + Math.floor(((n + random()) * options.eventsPerProducer) / options.handlerPoisonPerProducer),
      );
      faults.handlerPoison += poisonNumbers.length;
      const config: ProducerConfig = {
        service: spec.service,
        subject: spec.subject,
        databaseUrl: urlFor(spec.role),
        firstNumber,
        count: options.eventsPerProducer,
        aggregates: options.aggregates,
        poisonNumbers,
        rollbackShare: options.rollbackShare,
        eventsPerSecond: (options.eventsPerProducer * 1000) / options.productionMs,
        concurrency: 3,
        seed: Math.floor(random() * 2 ** 31),
      };
      return new WorkerProcess(`producer ${spec.service}`, 'producer.worker.ts', config);
    });

    const connection = driverConnection;
    const schedule = faultSchedule(options, random, {
      killConsumer: () => {
        const slot = consumerSlots[randomInt(victims, 0, consumerSlots.length - 1)];
        const victim = slot.kill();
        if (!victim) return `${slot.name} is down already`;
        faults.consumerKills += 1;
        return `SIGKILL ${victim}`;
      },
      restartNats: async () => {
        await server.kill('SIGKILL');
        await sleep(1_000);
        await server.restart();
        faults.natsRestarts += 1;
        return 'nats-server SIGKILLed, restarted after 1 s';
      },
      pauseNats: async () => {
        const pauseMs = options.tuning.ackWaitMs + 1_500;
        server.pause();
        await sleep(pauseMs);
        server.resume();
        faults.natsPauseMs += pauseMs;
        return `nats-server SIGSTOPped for ${pauseMs} ms (ack wait ${options.tuning.ackWaitMs} ms)`;
      },
      injectRawPoison: async () => {
        for (const subject of Object.keys(rawPoison) as FaultSubject[]) {
          for (let n = 0; n < options.rawPoisonPerSubject; n++) {
            rawPoison[subject].push(await publishRawPoison(connection, subject));
            faults.rawPoison += 1;
          }
        }
        return `published ${options.rawPoisonPerSubject} invalid payload(s) per subject straight to JetStream`;
      },
    });
    for (const step of schedule) {
      const waitMs = productionStarted + step.atMs - performance.now();
      if (waitMs > 0) await sleep(waitMs);
      log(`+${Math.round(performance.now() - productionStarted)} ms: ${await step.run()}`);
    }
    const producerResults = await Promise.all(producers.map((producer) => producer.waitFor('done')));
    const productionMs = performance.now() - productionStarted;
    const committedEvents = producerResults.reduce((sum, result) => sum + result.committed, 0);
    const rolledBackEvents = producerResults.reduce((sum, result) => sum + result.rolledBack, 0);
    log(`produced ${committedEvents} events (${rolledBackEvents} rolled back) in ${Math.round(productionMs)} ms`);

    const drainStarted = performance.now();
    let drained = false;
    let lastProgressLog = drainStarted;
    while (performance.now() - drainStarted < options.drainTimeoutMs) {
      const outcomes = await consumerOutcomes(admin, rawPoison);
      const unpublished = await unpublishedRows(admin);
      if (unpublished === 0 && outcomes.every((outcome) => outcome.missing === 0)) {
        drained = true;
        break;
      }
      if (performance.now() - lastProgressLog > 5_000) {
        lastProgressLog = performance.now();
        const missing = outcomes.map((outcome) => `${outcome.consumer} ${outcome.missing}`).join(', ');
        log(`draining: ${unpublished} outbox rows unpublished; events still missing: ${missing}`);
      }
      await sleep(250);
    }
    const drainMs = performance.now() - drainStarted;
    log(`${drained ? 'drained' : 'NOT drained'} after ${Math.round(drainMs)} ms`);
    // Redeliveries of messages acked late or never would arrive within an ack wait: give them the
    // chance to show up as duplicate side effects before counting.
    await sleep(options.tuning.ackWaitMs + 500);

    for (const slot of workers) {
      for (const message of slot.reports) {
        if (message.type !== 'crash') continue;
        if (message.point === 'after-commit') faults.consumerCrashesAfterCommit += 1;
        else faults.relayCrashesAfterPublish += 1;
      }
    }
    const consumers = await consumerOutcomes(admin, rawPoison);
    const streamMessages = await countStreamMessages(connection);
    return {
      seed: options.seed,
      committedEvents,
      rolledBackEvents,
      faults,
      consumers,
      streamDuplicates: streamMessages - committedEvents - faults.rawPoison,
      unpublishedRows: await unpublishedRows(admin),
      workerFailures: workers.flatMap((slot) => slot.failures),
      failedStarts: workers.reduce((sum, slot) => sum + slot.failedStarts.length, 0),
      drained,
      productionMs,
      drainMs,
      totalMs: performance.now() - started,
    };
  } finally {
    await Promise.all(workers.map((slot) => slot.stop()));
    await driverConnection?.close();
    await nats?.stop();
    await admin.end();
  }
}

interface FaultActions {
  killConsumer(): string;
  restartNats(): Promise<string>;
  pauseNats(): Promise<string>;
  injectRawPoison(): Promise<string>;
}

interface FaultStep {
  atMs: number;
  run(): string | Promise<string>;
}

/**
 * When each fault happens, relative to the start of production: random consumer kills spread over
 * it, raw poison early and late, nats-server killed at 30 % and paused at 65 % of it.
 */
function faultSchedule(options: FaultScenarioOptions, random: () => number, actions: FaultActions): FaultStep[] {
  const at = (share: number) => Math.round(options.productionMs * share);
  const steps: FaultStep[] = [
    { atMs: at(0.15), run: actions.injectRawPoison },
    { atMs: at(0.3), run: actions.restartNats },
    { atMs: at(0.65), run: actions.pauseNats },
    { atMs: at(0.85), run: actions.injectRawPoison },
  ];
  for (let kill = 0; kill < options.randomKills; kill++) {
    steps.push({ atMs: Math.round(random() * options.productionMs), run: actions.killConsumer });
  }
  return steps.sort((a, b) => a.atMs - b.atMs);
}

/** An event whose payload breaks its contract, published around the outbox: it must be dead-lettered, not retried. */
async function publishRawPoison(connection: NatsConnection, subject: FaultSubject): Promise<string> {
  const id = randomUUID();
  const contract = contractFor(subject);
  const headers = natsHeaders();
  headers.set(EVENT_HEADERS.eventId, id);
  headers.set(EVENT_HEADERS.eventType, subject);
  headers.set(EVENT_HEADERS.schemaVersion, String(contract.version));
  headers.set(EVENT_HEADERS.occurredAt, new Date().toISOString());
  headers.set(EVENT_HEADERS.aggregateType, contract.aggregateType);
  // An aggregate of its own: the poison must not hold up the ordered events of real aggregates.
  headers.set(EVENT_HEADERS.aggregateId, `raw-poison-${id}`);
  headers.set(EVENT_HEADERS.aggregateVersion, '1');
  const body = JSON.stringify({ repoId: -1, note: 'breaks the contract on purpose' });
  const js = jetstream(connection);
  // Retried with the same message id while the server restarts: JetStream keeps one copy.
  for (let attempt = 1; ; attempt++) {
    try {
      await js.publish(subject, body, { msgID: id, headers, timeout: 2_000 });
      return id;
    } catch (error) {
      if (attempt >= 20) throw error;
      await sleep(250);
    }
  }
}

async function countStreamMessages(connection: NatsConnection): Promise<number> {
  const jsm = await jetstreamManager(connection);
  let total = 0;
  for (const stream of new Set(PRODUCERS.map((spec) => streamFor(spec.subject).name))) {
    total += (await jsm.streams.info(stream)).state.messages;
  }
  return total;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
