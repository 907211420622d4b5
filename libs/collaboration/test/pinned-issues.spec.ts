import { useTestDatabase } from '@plue/testing';
import { ConflictError, NotFoundError, ValidationError } from '@plue/db';
import { IssueEventsDao, IssuesDao, PinnedIssuesDao, MAX_PINNED_ISSUES } from '../src';
import { countRows, openWorld, repository, user, type World } from './fixtures';
import { openDataSource } from './support';

const database = useTestDatabase();
let world: World;
let pins: PinnedIssuesDao;

beforeAll(async () => {
  world = await openWorld(database());
  pins = new PinnedIssuesDao(world.db);
});
afterAll(() => world.db.destroy());

async function repoWithIssues(count: number) {
  const repo = await repository(world.admin);
  const author = await user(world.admin);
  const issues = new IssuesDao(world.db);
  const ids: number[] = [];
  for (let i = 0; i < count; i += 1)
    ids.push((await issues.create({ repoId: repo.id, authorId: author.id, title: `Issue ${i}` })).id);
  return { repo, author, ids };
}

const order = async (repoId: number) => (await pins.list(repoId)).map((pin) => [pin.issueId, pin.pinOrder]);

describe('PinnedIssuesDao', () => {
  it(`appends pins and refuses a fourth with a clear ConflictError`, async () => {
    const { repo, ids } = await repoWithIssues(4);
    for (const id of ids.slice(0, 3)) await pins.pin(id);
    expect(await order(repo.id)).toEqual([
      [ids[0], 1],
      [ids[1], 2],
      [ids[2], 3],
    ]);
    const refusal = pins.pin(ids[3]);
    await expect(refusal).rejects.toBeInstanceOf(ConflictError);
    await expect(pins.pin(ids[3])).rejects.toThrow(
      `already has ${MAX_PINNED_ISSUES} pinned issues: unpin one before pinning another`,
    );
    expect(await countRows(world.admin, 'pinned_issues', 'repo_id = $1', [repo.id])).toBe(3);
  });

  it('pinning a pinned issue again changes nothing', async () => {
    const { repo, ids } = await repoWithIssues(2);
    const first = await pins.pin(ids[0]);
    await pins.pin(ids[1]);
    expect(await pins.pin(ids[0])).toMatchObject({ id: first.id, pinOrder: 1 });
    expect(await order(repo.id)).toEqual([
      [ids[0], 1],
      [ids[1], 2],
    ]);
  });

  it('unpinning renumbers the rest (database trigger), so pin, unpin, pin keeps at most 3 without gaps', async () => {
    const { repo, author, ids } = await repoWithIssues(5);
    for (const id of ids.slice(0, 3)) await pins.pin(id, author.id);
    expect(await pins.unpin(ids[0], author.id)).toBe(true);
    expect(await order(repo.id)).toEqual([
      [ids[1], 1],
      [ids[2], 2],
    ]);
    await pins.pin(ids[3], author.id);
    expect(await order(repo.id)).toEqual([
      [ids[1], 1],
      [ids[2], 2],
      [ids[3], 3],
    ]);
    await expect(pins.pin(ids[4])).rejects.toBeInstanceOf(ConflictError);
    await pins.unpin(ids[2]);
    await pins.pin(ids[4]);
    expect(await order(repo.id)).toEqual([
      [ids[1], 1],
      [ids[3], 2],
      [ids[4], 3],
    ]);
    expect(await pins.unpin(ids[0])).toBe(false);
    const events = (await new IssueEventsDao(world.db).listForIssue(ids[0])).map((e) => e.eventType);
    expect(events).toEqual(['opened', 'pinned', 'unpinned']);
  });

  it('deleting a pinned issue renumbers the remaining pins', async () => {
    const { repo, ids } = await repoWithIssues(3);
    for (const id of ids) await pins.pin(id);
    await world.admin.query('DELETE FROM issues WHERE id = $1', [ids[1]]);
    expect(await order(repo.id)).toEqual([
      [ids[0], 1],
      [ids[2], 2],
    ]);
  });

  it('reorders the pins, swapping numbers inside one transaction', async () => {
    const { repo, ids } = await repoWithIssues(3);
    for (const id of ids) await pins.pin(id);
    const reordered = await pins.reorder(repo.id, [ids[2], ids[0], ids[1]]);
    expect(reordered.map((pin) => [pin.issueId, pin.pinOrder])).toEqual([
      [ids[2], 1],
      [ids[0], 2],
      [ids[1], 3],
    ]);
    for (const bad of [[ids[0], ids[1]], [ids[0], ids[0], ids[1]], [ids[0], ids[1], 987654321], []]) {
      await expect(pins.reorder(repo.id, bad)).rejects.toBeInstanceOf(ValidationError);
    }
    expect(await order(repo.id)).toEqual([
      [ids[2], 1],
      [ids[0], 2],
      [ids[1], 3],
    ]);
  });

  it('never exceeds 3 pins when many connections pin concurrently', async () => {
    const { repo, ids } = await repoWithIssues(8);
    const wide = await openDataSource(database().urlFor('plue_collaboration'), 8);
    try {
      const concurrent = new PinnedIssuesDao(wide);
      const results = await Promise.allSettled(ids.map((id) => concurrent.pin(id)));
      const pinned = results.filter((result) => result.status === 'fulfilled');
      const refused = results.filter((result) => result.status === 'rejected');
      expect(pinned).toHaveLength(3);
      expect(refused.every((result) => result.reason instanceof ConflictError)).toBe(true);
      expect((await pins.list(repo.id)).map((pin) => pin.pinOrder)).toEqual([1, 2, 3]);
    } finally {
      await wide.destroy();
    }
  });

  it('refuses unknown issues', async () => {
    await expect(pins.pin(987654321)).rejects.toBeInstanceOf(NotFoundError);
    await expect(pins.unpin(987654321)).rejects.toBeInstanceOf(NotFoundError);
  });
});
