import { randomUUID } from 'node:crypto';
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { headers, type NatsConnection } from '@nats-io/transport-node';
import type { EventPayload } from '@plue/contracts';
import { inTransaction } from '@plue/db';
import type { DataSource } from 'typeorm';
import {
  JetStreamContext,
  JetStreamErrorFilter,
  JetStreamServer,
  messagingHealth,
  OutboxRelay,
  OutboxWriter,
  type ConsumerHooks,
  type ConsumerTuning,
} from '../src';
import { eventually, sleep, useMessagingKit } from './messaging-test-kit';

const kit = useMessagingKit();
const SUBJECT = 'plue.git.repository.created';
const CONSUMER = 'collaboration--plue_git_repository_created';
const tuning: Partial<ConsumerTuning> = {
  ackWaitMs: 2000,
  maxAttempts: 3,
  backoffMs: [100, 200],
  concurrency: 8,
};

/** What the handler does with a repository id: fail always (poison) or fail once. */
const behaviour = { poison: new Set<number>(), failOnce: new Set<number>() };

@Controller()
class RepositoryCreatedHandlers {
  @EventPattern<string>(SUBJECT)
  async onRepositoryCreated(
    @Payload() event: EventPayload<typeof SUBJECT>,
    @Ctx() context: JetStreamContext,
  ): Promise<void> {
    if (behaviour.poison.has(event.repoId)) throw new Error(`poison repository ${event.repoId}`);
    if (behaviour.failOnce.delete(event.repoId)) throw new Error(`transient failure for ${event.repoId}`);
    await context.tx.query(
      'INSERT INTO public.test_handled (consumer, event_id, aggregate_id, aggregate_version, repo_id) VALUES ($1, $2, $3, $4, $5)',
      [
        context.event.consumer,
        context.event.id,
        context.event.aggregateId,
        context.event.aggregateVersion,
        event.repoId,
      ],
    );
  }
}

@Module({ controllers: [RepositoryCreatedHandlers] })
class CollaborationEventsModule {}

let git: DataSource;
let collaboration: DataSource;
let nc: NatsConnection;
let relay: OutboxRelay;
const events = new OutboxWriter({ schema: 'git' });
const apps: INestMicroservice[] = [];

async function startConsumer(
  hooks?: ConsumerHooks,
  tuningOverrides: Partial<ConsumerTuning> = {},
): Promise<{ app: INestMicroservice; server: JetStreamServer }> {
  const server = new JetStreamServer({
    service: 'collaboration',
    schema: 'collaboration',
    dataSource: collaboration,
    servers: kit.nats.url,
    tuning: { ...tuning, ...tuningOverrides },
    hooks,
  });
  const app = await NestFactory.createMicroservice(CollaborationEventsModule, { strategy: server, logger: false });
  app.useGlobalFilters(new JetStreamErrorFilter());
  await app.listen();
  apps.push(app);
  return { app, server };
}

async function stopConsumers(): Promise<void> {
  await Promise.all(apps.splice(0).map((app) => app.close()));
}

function repositoryCreated(repoId: number): EventPayload<typeof SUBJECT> {
  return { repoId, ownerId: 1, name: `repo-${repoId}`, defaultBranch: 'main', isPublic: false };
}

/** Emits through the outbox (the relay publishes); the aggregate is the repository. */
async function emit(repoId: number, aggregateId: string | number = repoId): Promise<string> {
  return (await inTransaction(git, (tx) => events.emit(tx, SUBJECT, aggregateId, repositoryCreated(repoId)))).id;
}

/** Publishes straight to JetStream, for envelopes the outbox would never produce. */
async function publishRaw(
  body: unknown,
  envelope: { aggregateId: string; version: number; eventId?: string } | null,
): Promise<string> {
  const eventId = envelope?.eventId ?? randomUUID();
  const h = headers();
  if (envelope) {
    h.set('Plue-Event-Id', eventId);
    h.set('Plue-Event-Type', SUBJECT);
    h.set('Plue-Schema-Version', '1');
    h.set('Plue-Occurred-At', new Date().toISOString());
    h.set('Plue-Aggregate-Type', 'repository');
    h.set('Plue-Aggregate-Id', envelope.aggregateId);
    h.set('Plue-Aggregate-Version', String(envelope.version));
  }
  await jetstream(nc).publish(SUBJECT, JSON.stringify(body), { msgID: eventId, headers: h });
  return eventId;
}

async function handled(where = 'true', params: unknown[] = []) {
  const { rows } = await kit.superuser.query(
    `SELECT id, event_id, aggregate_id, aggregate_version::int AS version, repo_id::int AS repo_id
       FROM public.test_handled WHERE ${where} ORDER BY id`,
    params,
  );
  return rows as { id: number; event_id: string; aggregate_id: string; version: number; repo_id: number }[];
}

async function deadLetters(where = 'true', params: unknown[] = []) {
  const { rows } = await kit.superuser.query(
    `SELECT consumer, event_id, subject, payload, error, attempts, stream_sequence
       FROM collaboration.dead_letters WHERE ${where} ORDER BY id`,
    params,
  );
  return rows;
}

beforeAll(async () => {
  // A side-effect table of the consuming service (test only): one row per handler run.
  await kit.superuser.query(`
    CREATE TABLE public.test_handled (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      consumer text NOT NULL,
      event_id uuid NOT NULL,
      aggregate_id text NOT NULL,
      aggregate_version bigint NOT NULL,
      repo_id bigint NOT NULL
    );
    GRANT SELECT, INSERT ON public.test_handled TO plue_collaboration;`);
  git = await kit.dataSource('plue_git');
  collaboration = await kit.dataSource('plue_collaboration', 10);
  nc = await kit.natsConnection();
  relay = new OutboxRelay({ schema: 'git', dataSource: git, connection: nc, pollIntervalMs: 200, leaderPollMs: 100 });
  relay.start();
  await eventually(async () => relay.isLeader, Boolean);
});
afterAll(async () => {
  await stopConsumers();
  await relay.stop();
});
afterEach(() => stopConsumers());

describe('JetStreamServer', () => {
  it('with two instances running, handles every event once, in version order per aggregate', async () => {
    await startConsumer();
    await startConsumer();
    const emitted: string[] = [];
    await Promise.all(
      Array.from({ length: 10 }, async (_, aggregate) => {
        for (let n = 0; n < 20; n += 1) emitted.push(await emit(1000 + aggregate * 100 + n, `two-${aggregate}`));
      }),
    );

    const rows = await eventually(
      () => handled("aggregate_id LIKE 'two-%'"),
      (list) => list.length >= emitted.length,
    );
    await sleep(500); // a late duplicate would show up now
    const all = await handled("aggregate_id LIKE 'two-%'");
    expect(all).toHaveLength(emitted.length);
    expect(new Set(all.map((row) => row.event_id))).toEqual(new Set(emitted));
    for (let aggregate = 0; aggregate < 10; aggregate += 1) {
      const versions = rows.filter((row) => row.aggregate_id === `two-${aggregate}`).map((row) => row.version);
      expect(versions).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
    }
  });

  it('handles an event published while its consumer was down once the consumer starts', async () => {
    const id = await emit(2001);
    await eventually(
      async () => (await kit.superuser.query('SELECT published_at FROM git.outbox WHERE id = $1', [id])).rows[0],
      (row) => row.published_at !== null,
    );
    await sleep(300);
    expect(await handled('event_id = $1', [id])).toEqual([]);

    await startConsumer();
    await eventually(
      () => handled('event_id = $1', [id]),
      (rows) => rows.length === 1,
    );
  });

  it('retries a failing handler with backoff and rolls back its writes each time', async () => {
    await startConsumer();
    behaviour.failOnce.add(2101);
    const id = await emit(2101);
    await eventually(
      () => handled('event_id = $1', [id]),
      (rows) => rows.length === 1,
    );
    expect(await deadLetters('event_id = $1', [id])).toEqual([]);
    const failures = await kit.superuser.query('SELECT 1 FROM collaboration.consumer_failures WHERE event_id = $1', [
      id,
    ]);
    expect(failures.rowCount).toBe(0);
  });

  it('dead-letters a poison event after the attempt limit, with its error, and lets its aggregate go on', async () => {
    const { server } = await startConsumer();
    behaviour.poison.add(2201);
    const poison = await emit(2201, 'poison-aggregate');
    const next = await emit(2202, 'poison-aggregate');

    await eventually(
      () => handled('event_id = $1', [next]),
      (rows) => rows.length === 1,
    );
    const [letter] = await deadLetters('event_id = $1', [poison]);
    expect(letter).toMatchObject({
      consumer: CONSUMER,
      subject: SUBJECT,
      payload: repositoryCreated(2201),
      attempts: 3,
      error: 'gave up after 3 attempts: poison repository 2201',
    });
    expect(Number(letter.stream_sequence)).toBeGreaterThan(0);
    expect(await handled('event_id = $1', [poison])).toEqual([]);
    const [metrics] = await server.metrics();
    expect(metrics).toMatchObject({ consumer: CONSUMER, deadLetters: 1, running: true });
    expect(metrics.failures).toBeGreaterThanOrEqual(3);
  });

  it('dead-letters an invalid payload at once, without retrying it', async () => {
    const { server } = await startConsumer();
    const bad = await publishRaw({ repoId: 'not a number' }, { aggregateId: 'invalid-aggregate', version: 1 });
    const good = await publishRaw(repositoryCreated(2302), { aggregateId: 'invalid-aggregate', version: 2 });
    await eventually(
      () => handled('event_id = $1', [good]),
      (rows) => rows.length === 1,
    );
    const [letter] = await deadLetters('event_id = $1', [bad]);
    expect(letter).toMatchObject({ attempts: 1, payload: { repoId: 'not a number' } });
    expect(letter.error).toMatch(/^invalid plue\.git\.repository\.created payload: repoId /);
    expect((await server.metrics())[0].failures).toBe(0);
  });

  it('dead-letters a message without an event envelope', async () => {
    await startConsumer();
    await publishRaw(repositoryCreated(2401), null);
    await eventually(
      () => deadLetters("event_id IS NULL AND error LIKE 'invalid event envelope%'"),
      (rows) => rows.length === 1,
    );
  });

  it('applies the events of an aggregate in version order even when they arrive out of order', async () => {
    await startConsumer();
    const second = await publishRaw(repositoryCreated(2502), { aggregateId: 'reordered', version: 2 });
    await sleep(300);
    const first = await publishRaw(repositoryCreated(2501), { aggregateId: 'reordered', version: 1 });
    const rows = await eventually(
      () => handled("aggregate_id = 'reordered'"),
      (list) => list.length === 2,
    );
    expect(rows.map((row) => row.event_id)).toEqual([first, second]);
  });

  it('passes a predecessor that never comes, in order, and keeps it as a dead letter when it comes late', async () => {
    await startConsumer(undefined, { orderWaitTimeoutMs: 500 });
    const second = await publishRaw(repositoryCreated(2552), { aggregateId: 'gap', version: 2 });
    const third = await publishRaw(repositoryCreated(2553), { aggregateId: 'gap', version: 3 });
    const rows = await eventually(
      () => handled("aggregate_id = 'gap'"),
      (list) => list.length === 2,
    );
    expect(rows.map((row) => row.event_id)).toEqual([second, third]);
    expect(await deadLetters("headers->>'Plue-Aggregate-Id' = 'gap'")).toEqual([
      expect.objectContaining({
        event_id: null,
        payload: null,
        error: expect.stringMatching(
          /^version 1 of repository gap never arrived: passed after version \d waited \d+ ms$/,
        ),
      }),
    ]);

    const late = await publishRaw(repositoryCreated(2551), { aggregateId: 'gap', version: 1 });
    const [letter] = await eventually(
      () => deadLetters('event_id = $1', [late]),
      (list) => list.length === 1,
    );
    expect(letter.error).toBe('version 1 of repository gap arrived after the consumer had passed it');
    expect(await handled("aggregate_id = 'gap'")).toHaveLength(2);
  });

  it('goes on consuming after nats-server restarts', async () => {
    await startConsumer();
    const before = await emit(2901);
    await eventually(
      () => handled('event_id = $1', [before]),
      (rows) => rows.length === 1,
    );
    await kit.nats.kill('SIGKILL');
    const during = await emit(2902);
    await kit.nats.restart();
    const after = await emit(2903);
    await eventually(
      () => handled('event_id = ANY($1::uuid[])', [[during, after]]),
      (rows) => rows.length === 2,
      30_000,
    );
  });

  it('skips an event that committed but was never acknowledged when it comes again', async () => {
    let crashes = 0;
    const { server } = await startConsumer({
      afterCommit: () => {
        // What a consumer killed between commit and ack leaves behind: no ack.
        crashes += 1;
        if (crashes === 1) throw new Error('died before the ack');
      },
    });
    const id = await emit(2601);
    await eventually(
      async () => (await server.metrics())[0].duplicates,
      (n) => n === 1,
      15_000,
    );
    expect(await handled('event_id = $1', [id])).toHaveLength(1);
  });

  it('replays events idempotently, and re-applies what a restored database lost', async () => {
    const { server } = await startConsumer();
    const since = new Date();
    const ids = [await emit(2701, 'replayed'), await emit(2702, 'replayed'), await emit(2703, 'replayed')];
    await eventually(
      () => handled("aggregate_id = 'replayed'"),
      (rows) => rows.length === 3,
    );

    const again = await server.replay({ from: { sequence: 1 } });
    expect(again.subjects).toHaveLength(1);
    expect(again.subjects[0]).toMatchObject({ subject: SUBJECT, handled: 0 });
    expect(again.subjects[0].duplicates).toBeGreaterThanOrEqual(3);
    expect(await handled("aggregate_id = 'replayed'")).toHaveLength(3);

    // A database restored from a backup taken before the last two events: their inbox rows, side
    // effects and the aggregate position are gone together.
    await kit.superuser.query(
      `DELETE FROM collaboration.inbox WHERE event_id = ANY($1::uuid[]);
       DELETE FROM public.test_handled WHERE event_id = ANY($1::uuid[]);
       UPDATE collaboration.consumer_positions SET version = 1 WHERE aggregate_id = 'replayed';`.replaceAll(
        '$1::uuid[]',
        `ARRAY['${ids[1]}', '${ids[2]}']::uuid[]`,
      ),
    );
    const restored = await server.replay({ from: { time: since } });
    expect(restored.subjects[0]).toMatchObject({ handled: 2, deadLetters: 0 });
    expect((await handled("aggregate_id = 'replayed'")).map((row) => row.event_id)).toEqual(ids);
  });

  it('refuses to listen with a handler whose subject has no contract, or with a request handler', async () => {
    @Controller()
    class Unknown {
      @EventPattern<string>('plue.git.repository.exploded')
      handle(): void {}

      @MessagePattern('plue.git.repository.get')
      get(): void {}
    }
    @Module({ controllers: [Unknown] })
    class UnknownModule {}
    const app = await NestFactory.createMicroservice(UnknownModule, {
      strategy: new JetStreamServer({
        service: 'collaboration',
        schema: 'collaboration',
        dataSource: collaboration,
        servers: kit.nats.url,
      }),
      logger: false,
    });
    await expect(app.listen()).rejects.toThrow(
      'JetStreamServer(collaboration): plue.git.repository.exploded: no event contract; plue.git.repository.get: @MessagePattern is not served by JetStream (use NATS)',
    );
    await app.close();
  });

  it('reports relay and consumer state through messagingHealth', async () => {
    const { server } = await startConsumer();
    const id = await emit(2801);
    await eventually(
      () => handled('event_id = $1', [id]),
      (rows) => rows.length === 1,
    );
    const health = await eventually(
      () => messagingHealth({ relays: [relay], servers: [server] }),
      (report) => report.consumers[0].numPending === 0 && report.consumers[0].numAckPending === 0,
    );
    expect(health).toMatchObject({
      healthy: true,
      relays: [{ schema: 'git', leader: true, pending: 0, consecutiveFailures: 0 }],
      consumers: [{ consumer: CONSUMER, subject: SUBJECT, running: true }],
    });
    expect(health.consumers[0].handled).toBeGreaterThanOrEqual(1);
    const durable = await (await jetstreamManager(nc)).consumers.info('PLUE_GIT', CONSUMER);
    expect(durable.config).toMatchObject({ ack_policy: 'explicit', filter_subject: SUBJECT, max_deliver: -1 });
  });
});
