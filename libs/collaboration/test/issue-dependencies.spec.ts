import { useTestDatabase } from '@plue/testing';
import { ConflictError, inTransaction, ValidationError } from '@plue/db';
import { IssueDependenciesDao, IssueEventsDao, IssuesDao, NO_CYCLE_CONSTRAINT } from '../src';
import { countRows, openWorld, repository, user, type World } from './fixtures';
import { openDataSource } from './support';

const database = useTestDatabase();
let world: World;
let dependencies: IssueDependenciesDao;

beforeAll(async () => {
  world = await openWorld(database());
  dependencies = new IssueDependenciesDao(world.db);
});
afterAll(() => world.db.destroy());

async function issueIds(count: number): Promise<number[]> {
  const repo = await repository(world.admin);
  const author = await user(world.admin);
  const issues = new IssuesDao(world.db);
  const ids: number[] = [];
  for (let i = 0; i < count; i += 1)
    ids.push((await issues.create({ repoId: repo.id, authorId: author.id, title: `Dep ${i}` })).id);
  return ids;
}

const cycleRefusal = { code: 'conflict', details: { constraint: NO_CYCLE_CONSTRAINT, field: 'dependsOnIssueId' } };

describe('IssueDependenciesDao', () => {
  it('adds and removes blockers, lists both directions and records events', async () => {
    const [a, b, c] = await issueIds(3);
    await dependencies.add({ issueId: a, dependsOnIssueId: b });
    await dependencies.add({ issueId: a, dependsOnIssueId: c });
    const again = await dependencies.add({ issueId: a, dependsOnIssueId: b });
    expect(again).toMatchObject({ issueId: a, dependsOnIssueId: b });
    expect((await dependencies.listBlockers(a)).map((i) => i.id)).toEqual([b, c]);
    expect((await dependencies.listBlocked(b)).map((i) => i.id)).toEqual([a]);
    expect(await dependencies.isBlocked(a)).toBe(true);
    await new IssuesDao(world.db).update(b, { state: 'closed' });
    await new IssuesDao(world.db).update(c, { state: 'closed' });
    expect(await dependencies.isBlocked(a)).toBe(false);
    expect(await dependencies.remove({ issueId: a, dependsOnIssueId: b })).toBe(true);
    expect(await dependencies.remove({ issueId: a, dependsOnIssueId: b })).toBe(false);
    const events = (await new IssueEventsDao(world.db).listForIssue(a)).map((e) => [
      e.eventType,
      e.payload.dependsOnIssueId ?? null,
    ]);
    expect(events).toEqual([
      ['opened', null],
      ['dependency_added', b],
      ['dependency_added', c],
      ['dependency_removed', b],
    ]);
  });

  it('refuses self-dependency before SQL', async () => {
    const [a] = await issueIds(1);
    const before = await countRows(world.admin, 'issue_dependencies');
    await expect(dependencies.add({ issueId: a, dependsOnIssueId: a })).rejects.toBeInstanceOf(ValidationError);
    expect(await countRows(world.admin, 'issue_dependencies')).toBe(before);
  });

  it('refuses 2-cycles, 3-cycles and long cycles with a ConflictError naming the constraint', async () => {
    const [a, b, c] = await issueIds(3);
    await dependencies.add({ issueId: a, dependsOnIssueId: b });
    await expect(dependencies.add({ issueId: b, dependsOnIssueId: a })).rejects.toMatchObject(cycleRefusal);
    await dependencies.add({ issueId: b, dependsOnIssueId: c });
    await expect(dependencies.add({ issueId: c, dependsOnIssueId: a })).rejects.toMatchObject(cycleRefusal);

    const chain = await issueIds(30);
    for (let i = 0; i < chain.length - 1; i += 1)
      await dependencies.add({ issueId: chain[i], dependsOnIssueId: chain[i + 1] });
    const before = await countRows(world.admin, 'issue_dependencies');
    await expect(
      dependencies.add({ issueId: chain[chain.length - 1], dependsOnIssueId: chain[0] }),
    ).rejects.toBeInstanceOf(ConflictError);
    await expect(dependencies.add({ issueId: chain[20], dependsOnIssueId: chain[3] })).rejects.toMatchObject(
      cycleRefusal,
    );
    expect(await countRows(world.admin, 'issue_dependencies')).toBe(before);
    // Not a cycle: a shortcut along the chain's direction.
    await expect(dependencies.add({ issueId: chain[0], dependsOnIssueId: chain[29] })).resolves.toMatchObject({
      issueId: chain[0],
    });
  });

  it('lets only one of two concurrent attempts to close a cycle from both ends succeed', async () => {
    const [a, b] = await issueIds(2);
    const first = await openDataSource(database().urlFor('plue_collaboration'), 1);
    const second = await openDataSource(database().urlFor('plue_collaboration'), 1);
    try {
      let releaseFirst!: () => void;
      const firstMayCommit = new Promise<void>((resolve) => (releaseFirst = resolve));
      let firstInserted!: () => void;
      const firstHasInserted = new Promise<void>((resolve) => (firstInserted = resolve));
      // The first transaction adds a -> b and holds its lock until released.
      const firstDone = inTransaction(first, async (tx) => {
        await new IssueDependenciesDao(first).add({ issueId: a, dependsOnIssueId: b }, tx);
        firstInserted();
        await firstMayCommit;
      });
      await firstHasInserted;
      // The second adds b -> a at the same time: it must wait for the first, then see its edge.
      const secondDone = new IssueDependenciesDao(second).add({ issueId: b, dependsOnIssueId: a });
      await waitUntilWaitingOnAdvisoryLock();
      releaseFirst();
      await expect(firstDone).resolves.toBeUndefined();
      await expect(secondDone).rejects.toMatchObject(cycleRefusal);
      expect(await countRows(world.admin, 'issue_dependencies', 'issue_id = ANY($1)', [[a, b]])).toBe(1);
    } finally {
      await Promise.all([first.destroy(), second.destroy()]);
    }
  });
});

async function waitUntilWaitingOnAdvisoryLock(): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const { rows } = await world.admin.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'advisory'`,
    );
    if (rows[0].n > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('the second transaction never waited on the dependency lock');
}
