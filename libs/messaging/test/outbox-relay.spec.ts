import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import { headers, type NatsConnection } from '@nats-io/transport-node';
import type { EventPayload } from '@plue/contracts';
import { inTransaction } from '@plue/db';
import type { DataSource } from 'typeorm';
import { OutboxRelay, OutboxWriter, provisionStreams } from '../src';
import { eventually, sleep, useMessagingKit } from './messaging-test-kit';

const kit = useMessagingKit();
const events = new OutboxWriter({ schema: 'git' });
let git: DataSource;
let nc: NatsConnection;
const relays: OutboxRelay[] = [];

beforeAll(async () => {
  git = await kit.dataSource('plue_git');
  nc = await kit.natsConnection();
});
afterEach(async () => {
  await Promise.all(relays.splice(0).map((relay) => relay.stop()));
});

function relay(options: Partial<ConstructorParameters<typeof OutboxRelay>[0]> = {}): OutboxRelay {
  const created = new OutboxRelay({
    schema: 'git',
    dataSource: git,
    connection: nc,
    pollIntervalMs: 200,
    leaderPollMs: 100,
    publishTimeoutMs: 1000,
    retry: { initialMs: 50, maxMs: 300 },
    ...options,
  });
  relays.push(created);
  return created;
}

function pushed(repoId: number, n: number): EventPayload<'plue.git.branch.pushed'> {
  return {
    repoId,
    branch: 'main',
    ref: 'refs/heads/main',
    beforeCommitSha: null,
    headCommitSha: n.toString(16).padStart(40, '0'),
    pusherId: 1,
    forced: false,
  };
}

async function emit(repoId: number, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let n = 1; n <= count; n += 1) {
    ids.push(
      (await inTransaction(git, (tx) => events.emit(tx, 'plue.git.branch.pushed', repoId, pushed(repoId, n)))).id,
    );
  }
  return ids;
}

async function unpublished(ids: string[]): Promise<number> {
  const { rows } = await kit.superuser.query(
    'SELECT count(*)::int AS n FROM git.outbox WHERE id = ANY($1::uuid[]) AND published_at IS NULL',
    [ids],
  );
  return rows[0].n;
}

/** Every message of PLUE_GIT on `subject` from stream sequence 1, read by an ephemeral consumer. */
async function streamMessages(count: number): Promise<JsMsg[]> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.consumers.add('PLUE_GIT', {
    ack_policy: AckPolicy.None,
    deliver_policy: DeliverPolicy.All,
    filter_subject: 'plue.git.branch.pushed',
  });
  const consumer = await jetstream(nc).consumers.get('PLUE_GIT', info.name);
  const messages: JsMsg[] = [];
  const batch = await consumer.fetch({ max_messages: count, expires: 3000 });
  for await (const message of batch) messages.push(message);
  await jsm.consumers.delete('PLUE_GIT', info.name);
  return messages;
}

describe('OutboxRelay', () => {
  it('provisions the streams, publishes rows in order with their headers, and marks them published', async () => {
    const first = await emit(101, 5);
    const second = await emit(102, 5);
    const leader = relay();
    leader.start();
    await eventually(
      () => unpublished([...first, ...second]),
      (n) => n === 0,
    );

    const messages = await streamMessages(10);
    expect(messages).toHaveLength(10);
    const repo101 = messages.filter((message) => message.headers?.get('Plue-Aggregate-Id') === '101');
    expect(repo101.map((message) => message.headers?.get('Nats-Msg-Id'))).toEqual(first);
    expect(repo101.map((message) => message.headers?.get('Plue-Aggregate-Version'))).toEqual(['1', '2', '3', '4', '5']);
    expect(repo101[0].headers?.get('Plue-Event-Id')).toBe(first[0]);
    expect(repo101[0].json()).toEqual(pushed(101, 1));

    const { rows } = await kit.superuser.query(
      'SELECT publish_attempts, last_error FROM git.outbox WHERE id = ANY($1::uuid[])',
      [first],
    );
    expect(rows).toEqual(first.map(() => ({ publish_attempts: 1, last_error: null })));
    const jsm = await jetstreamManager(nc);
    expect((await jsm.streams.info('PLUE_GIT')).config).toMatchObject({
      subjects: ['plue.git.>'],
      duplicate_window: 10 * 60 * 1e9,
      discard: 'new',
      storage: 'file',
    });
    expect(await leader.metrics()).toMatchObject({ leader: true, published: 10, pending: 0, oldestPendingAgeMs: null });
  });

  it('is woken by NOTIFY, not only by its poll', async () => {
    const leader = relay({ pollIntervalMs: 60_000 });
    leader.start();
    await eventually(async () => leader.isLeader, Boolean);
    await sleep(300); // let the first round finish and the relay fall asleep
    const started = Date.now();
    const ids = await emit(103, 1);
    await eventually(
      () => unpublished(ids),
      (n) => n === 0,
      5000,
    );
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('treats a duplicate acknowledgement as success (a relay that died before marking its rows)', async () => {
    const ids = await emit(104, 1);
    const [row] = (await kit.superuser.query('SELECT * FROM git.outbox WHERE id = $1', [ids[0]])).rows;
    // What the dead relay got acknowledged: the same message id, already stored.
    const previous = headers();
    for (const [name, value] of Object.entries(row.headers as Record<string, string>)) previous.set(name, value);
    const firstAck = await jetstream(nc).publish(row.subject, JSON.stringify(row.payload), {
      msgID: row.id,
      headers: previous,
    });
    expect(firstAck.duplicate).toBe(false);

    const leader = relay();
    leader.start();
    await eventually(
      () => unpublished(ids),
      (n) => n === 0,
    );
    expect(await leader.metrics()).toMatchObject({ duplicates: 1, publishFailures: 0 });
    const stream = await (await jetstreamManager(nc)).streams.info('PLUE_GIT');
    const stored = await (
      await jetstreamManager(nc)
    ).streams.getMessage('PLUE_GIT', { last_by_subj: 'plue.git.branch.pushed' });
    expect(stored?.header.get('Nats-Msg-Id')).toBe(ids[0]);
    expect(stream.state.last_seq).toBe(firstAck.seq);
  });

  it('runs one leader; a standby takes over when the leader stops or its session dies', async () => {
    const a = relay();
    const b = relay();
    a.start();
    await eventually(async () => a.isLeader, Boolean);
    b.start();
    await sleep(500);
    expect([a.isLeader, b.isLeader]).toEqual([true, false]);

    // The leader's database session dies (as when its process is killed): the lock goes with it.
    await kit.superuser.query(
      `SELECT pg_terminate_backend(pid) FROM pg_locks
        WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    await eventually(async () => a.isLeader || b.isLeader, Boolean, 10_000);
    const ids = await emit(105, 3);
    await eventually(
      () => unpublished(ids),
      (n) => n === 0,
    );

    // Exactly one of them leads again; stopping it hands over to the other.
    await eventually(
      async () => [a.isLeader, b.isLeader].filter(Boolean).length,
      (n) => n === 1,
      10_000,
    );
    const [leader, standby] = a.isLeader ? [a, b] : [b, a];
    await leader.stop();
    await eventually(async () => standby.isLeader, Boolean, 10_000);
    const more = await emit(105, 2);
    await eventually(
      () => unpublished(more),
      (n) => n === 0,
    );
  });

  it('retries with backoff while NATS is down, recording attempts and the error, then publishes', async () => {
    await provisionStreams(await jetstreamManager(nc));
    const leader = relay();
    leader.start();
    await eventually(async () => leader.isLeader, Boolean);
    await kit.nats.kill('SIGKILL');
    const ids = await emit(106, 3);
    await eventually(
      async () =>
        (
          await kit.superuser.query(
            'SELECT min(publish_attempts)::int AS attempts FROM git.outbox WHERE id = $1 AND last_error IS NOT NULL',
            [ids[0]],
          )
        ).rows[0].attempts,
      (attempts) => attempts >= 2,
      15_000,
    );
    expect((await leader.metrics()).consecutiveFailures).toBeGreaterThan(0);
    // Later rows of the aggregate were not published ahead of the first.
    expect(await unpublished(ids)).toBe(3);

    await kit.nats.restart();
    await eventually(
      () => unpublished(ids),
      (n) => n === 0,
      20_000,
    );
    const { rows } = await kit.superuser.query(
      'SELECT last_error FROM git.outbox WHERE id = ANY($1::uuid[]) AND last_error IS NOT NULL',
      [ids],
    );
    expect(rows).toEqual([]);
    expect((await leader.metrics()).consecutiveFailures).toBe(0);
  });

  it('provisions the stream again when it disappeared (a server that lost its store)', async () => {
    const leader = relay();
    leader.start();
    await eventually(async () => leader.isLeader, Boolean);
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete('PLUE_GIT');
    const ids = await emit(107, 2);
    await eventually(
      () => unpublished(ids),
      (n) => n === 0,
      15_000,
    );
    expect((await jsm.streams.info('PLUE_GIT')).state.messages).toBe(2);
  });
});
