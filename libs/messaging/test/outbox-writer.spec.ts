import { InvalidEventPayloadError, UnknownEventError, type EventPayload } from '@plue/contracts';
import { createDataSource, inTransaction } from '@plue/db';
import { insertUser, useTestDatabase } from '@plue/testing';
import type { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { OutboxWriter } from '../src';

const database = useTestDatabase();
let superuser: Client;
let git: DataSource;
let ownerId: number;
const events = new OutboxWriter({ schema: 'git' });

beforeAll(async () => {
  superuser = await database().connect();
  ownerId = (await insertUser(superuser)).id as number;
  git = createDataSource(
    { url: database().urlFor('plue_git'), poolSize: 4, statementTimeoutMs: 10_000, applicationName: 'outbox test' },
    [],
  );
  await git.initialize();
});
afterAll(() => git.destroy());

function created(repoId: number, name = `repo-${repoId}`): EventPayload<'plue.git.repository.created'> {
  return { repoId, ownerId, name, defaultBranch: 'main', isPublic: true };
}

async function outboxRows(aggregateId: string) {
  const { rows } = await superuser.query(
    'SELECT * FROM git.outbox WHERE aggregate_id = $1 ORDER BY aggregate_version',
    [aggregateId],
  );
  return rows;
}

describe('OutboxWriter', () => {
  it('writes the outbox row with the domain change, with its envelope headers', async () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const occurredAt = new Date('2026-01-02T03:04:05.678Z');
    const emitted = await inTransaction(git, async (tx) => {
      const [repo] = await tx.query('INSERT INTO repositories (user_id, name) VALUES ($1, $2) RETURNING id', [
        ownerId,
        'envelope',
      ]);
      return events.emit(tx, 'plue.git.repository.created', Number(repo.id), created(Number(repo.id), 'envelope'), {
        traceparent,
        occurredAt,
      });
    });

    const [row] = await outboxRows(emitted.aggregateId);
    expect(row).toMatchObject({
      id: emitted.id,
      aggregate_type: 'repository',
      aggregate_version: '1',
      subject: 'plue.git.repository.created',
      payload: created(Number(emitted.aggregateId), 'envelope'),
      published_at: null,
      publish_attempts: 0,
    });
    expect(row.headers).toEqual({
      'Plue-Event-Id': emitted.id,
      'Plue-Event-Type': 'plue.git.repository.created',
      'Plue-Schema-Version': '1',
      'Plue-Occurred-At': '2026-01-02T03:04:05.678Z',
      'Plue-Aggregate-Type': 'repository',
      'Plue-Aggregate-Id': emitted.aggregateId,
      'Plue-Aggregate-Version': '1',
      traceparent,
    });
  });

  it('rolls the outbox row back with the domain change', async () => {
    const name = 'rolled-back';
    await expect(
      inTransaction(git, async (tx) => {
        await tx.query('INSERT INTO repositories (user_id, name) VALUES ($1, $2)', [ownerId, name]);
        await events.emit(tx, 'plue.git.repository.created', 'rollback-1', created(999_001, name));
        throw new Error('the command failed after emitting');
      }),
    ).rejects.toThrow('the command failed after emitting');

    expect((await superuser.query('SELECT 1 FROM repositories WHERE name = $1', [name])).rowCount).toBe(0);
    expect(await outboxRows('rollback-1')).toEqual([]);
    // The version counter rolled back too: the next event of the aggregate is version 1.
    const next = await inTransaction(git, (tx) =>
      events.emit(tx, 'plue.git.repository.created', 'rollback-1', created(999_001, name)),
    );
    expect(next.aggregateVersion).toBe(1);
  });

  it('refuses an invalid payload before any SQL, so the transaction writes nothing', async () => {
    const name = 'invalid-payload';
    const attempt = inTransaction(git, async (tx) => {
      await tx.query('INSERT INTO repositories (user_id, name) VALUES ($1, $2)', [ownerId, name]);
      await events.emit(tx, 'plue.git.repository.created', 'invalid-1', {
        ...created(1, name),
        repoId: -5,
        defaultBranch: '',
      } as EventPayload<'plue.git.repository.created'>);
    });
    await expect(attempt).rejects.toBeInstanceOf(InvalidEventPayloadError);
    await expect(attempt).rejects.toThrow(/repoId .*; defaultBranch /);
    expect((await superuser.query('SELECT 1 FROM repositories WHERE name = $1', [name])).rowCount).toBe(0);
    expect(await outboxRows('invalid-1')).toEqual([]);
  });

  it('refuses a subject without a contract', async () => {
    const unknownSubject = 'plue.git.repository.exploded' as 'plue.git.repository.created';
    await expect(inTransaction(git, (tx) => events.emit(tx, unknownSubject, 'x', created(1)))).rejects.toBeInstanceOf(
      UnknownEventError,
    );
  });

  it('numbers the events of an aggregate 1, 2, 3… per subject, gapless under concurrency', async () => {
    const aggregateId = 'concurrent-1';
    await Promise.all(
      Array.from({ length: 20 }, () =>
        inTransaction(git, (tx) => events.emit(tx, 'plue.git.repository.created', aggregateId, created(7))),
      ),
    );
    await inTransaction(git, (tx) =>
      events.emit(tx, 'plue.git.branch.pushed', aggregateId, {
        repoId: 7,
        branch: 'main',
        ref: 'refs/heads/main',
        beforeCommitSha: null,
        headCommitSha: 'a'.repeat(40),
        pusherId: ownerId,
        forced: false,
      }),
    );
    const rows = await outboxRows(aggregateId);
    const versions = (subject: string) =>
      rows.filter((row) => row.subject === subject).map((row) => Number(row.aggregate_version));
    expect(versions('plue.git.repository.created')).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
    expect(versions('plue.git.branch.pushed')).toEqual([1]);
    // Creation order is version order: the order the relay publishes in.
    const created_ = rows
      .filter((row) => row.subject === 'plue.git.repository.created')
      .sort((a, b) => a.created_at.getTime() - b.created_at.getTime())
      .map((row) => Number(row.aggregate_version));
    expect(created_).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
  });

  it("cannot write another service's outbox (the role has no grant)", async () => {
    const intruder = new OutboxWriter({ schema: 'auth' });
    await expect(
      inTransaction(git, (tx) =>
        intruder.emit(tx, 'plue.auth.user.deleted', 1, { userId: 1, username: 'someone', ghostUserId: 2 }),
      ),
    ).rejects.toMatchObject({ driverError: expect.objectContaining({ code: '42501' }) });
  });
});
