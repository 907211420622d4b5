import { useTestDatabase } from '@plue/testing';
import { ValidationError } from '@plue/db';
import { CommentsDao, IssuesDao, LabelsDao, PullRequestsDao, type IssueListFilters } from '../src';
import { openWorld, repository, user, type World } from './fixtures';

const database = useTestDatabase();
let world: World;
let issues: IssuesDao;

// One repository with a handful of issues whose attributes each filter can tell apart.
const fixture = {} as {
  repoId: number;
  alice: { id: number; username: string };
  bob: { id: number; username: string };
  carol: { id: number; username: string };
  bug: number;
  ui: number;
  milestone: number;
  ids: Record<'crash' | 'slowUi' | 'docs' | 'closedBug' | 'pull', number>;
};

beforeAll(async () => {
  world = await openWorld(database());
  issues = new IssuesDao(world.db);
  const repo = await repository(world.admin);
  const [alice, bob, carol] = [await user(world.admin), await user(world.admin), await user(world.admin)];
  const labels = new LabelsDao(world.db);
  const bug = (await labels.create({ repoId: repo.id, name: 'Bug', color: '#d73a4a' })).id;
  const ui = (await labels.create({ repoId: repo.id, name: 'ui', color: '#0075ca' })).id;
  const { rows } = await world.admin.query(`INSERT INTO milestones (repo_id, title) VALUES ($1, 'v1') RETURNING id`, [
    repo.id,
  ]);
  const milestone = Number(rows[0].id);
  const crash = await issues.create({
    repoId: repo.id,
    authorId: alice.id,
    title: 'Crash when saving files',
    body: 'Stack trace attached',
    labelIds: [bug],
  });
  const slowUi = await issues.create({
    repoId: repo.id,
    authorId: bob.id,
    title: 'Slow rendering',
    body: `The editor lags, @${carol.username} knows`,
    labelIds: [bug, ui],
    assigneeIds: [alice.id],
    milestoneId: milestone,
  });
  const docs = await issues.create({ repoId: repo.id, authorId: alice.id, title: 'Document the API', labelIds: [] });
  const closedBug = await issues.create({ repoId: repo.id, authorId: bob.id, title: 'Old crash', labelIds: [bug] });
  await issues.update(closedBug.id, { state: 'closed' });
  const { issue: pull } = await new PullRequestsDao(world.db).create({
    repoId: repo.id,
    authorId: bob.id,
    title: 'Fix the crash',
    baseBranch: 'main',
    headBranch: 'fix/crash',
  });
  // carol is mentioned in a comment on docs, not in its body
  await new CommentsDao(world.db).create({ issueId: docs.id, authorId: bob.id, body: `@${carol.username} could you?` });
  Object.assign(fixture, {
    repoId: repo.id,
    alice,
    bob,
    carol,
    bug,
    ui,
    milestone,
    ids: { crash: crash.id, slowUi: slowUi.id, docs: docs.id, closedBug: closedBug.id, pull: pull.id },
  });
});
afterAll(() => world.db.destroy());

async function idsFor(filters: IssueListFilters): Promise<number[]> {
  return (await issues.list(fixture.repoId, filters)).items.map((issue) => issue.id);
}

describe('IssuesDao.list filters', () => {
  it('lists open issues (not pull requests), newest first, by default', async () => {
    expect(await idsFor({})).toEqual([fixture.ids.docs, fixture.ids.slowUi, fixture.ids.crash]);
  });

  it('filters by state and by kind', async () => {
    expect(await idsFor({ state: 'closed' })).toEqual([fixture.ids.closedBug]);
    expect(await idsFor({ state: 'all', direction: 'asc' })).toEqual([
      fixture.ids.crash,
      fixture.ids.slowUi,
      fixture.ids.docs,
      fixture.ids.closedBug,
    ]);
    expect(await idsFor({ type: 'pull_request' })).toEqual([fixture.ids.pull]);
    expect((await idsFor({ type: 'all', state: 'all' })).length).toBe(5);
  });

  it('requires every listed label, by id or by name in any case', async () => {
    expect(await idsFor({ labels: [fixture.bug] })).toEqual([fixture.ids.slowUi, fixture.ids.crash]);
    expect(await idsFor({ labels: ['bug', 'UI'] })).toEqual([fixture.ids.slowUi]);
    expect(await idsFor({ labels: [fixture.bug, 'ui'] })).toEqual([fixture.ids.slowUi]);
    expect(await idsFor({ labels: ['no-such-label'] })).toEqual([]);
  });

  it('filters by assignee, author and milestone (users by id or username)', async () => {
    expect(await idsFor({ assignee: fixture.alice.id })).toEqual([fixture.ids.slowUi]);
    expect(await idsFor({ assignee: fixture.alice.username.toUpperCase() })).toEqual([fixture.ids.slowUi]);
    expect(await idsFor({ author: fixture.alice.username })).toEqual([fixture.ids.docs, fixture.ids.crash]);
    expect(await idsFor({ author: fixture.bob.id, state: 'all' })).toEqual([fixture.ids.closedBug, fixture.ids.slowUi]);
    expect(await idsFor({ milestone: fixture.milestone })).toEqual([fixture.ids.slowUi]);
    expect(await idsFor({ milestone: 'none' })).toEqual([fixture.ids.docs, fixture.ids.crash]);
    expect(await idsFor({ author: 'nobody-here' })).toEqual([]);
  });

  it('finds issues that mention a user in the body or in a comment', async () => {
    expect(await idsFor({ mentioned: fixture.carol.username })).toEqual([fixture.ids.docs, fixture.ids.slowUi]);
    expect(await idsFor({ mentioned: fixture.alice.id })).toEqual([]);
  });

  it('searches title and body as full text', async () => {
    expect(await idsFor({ search: 'crash', state: 'all' })).toEqual([fixture.ids.closedBug, fixture.ids.crash]);
    expect(await idsFor({ search: 'editor lags' })).toEqual([fixture.ids.slowUi]);
    expect(await idsFor({ search: '"stack trace"' })).toEqual([fixture.ids.crash]);
    expect(await idsFor({ search: 'crash -saving', state: 'all' })).toEqual([fixture.ids.closedBug]);
  });

  it('combines filters with AND', async () => {
    expect(await idsFor({ labels: ['bug'], author: fixture.bob.id, search: 'rendering' })).toEqual([
      fixture.ids.slowUi,
    ]);
    expect(await idsFor({ labels: ['bug'], author: fixture.alice.id, assignee: fixture.alice.id })).toEqual([]);
  });

  it('sorts by comment count and by update time in both directions', async () => {
    const byComments = await idsFor({ sort: 'comments' });
    expect(byComments[0]).toBe(fixture.ids.docs);
    await issues.update(fixture.ids.crash, { title: 'Crash when saving files!' });
    expect((await idsFor({ sort: 'updated' }))[0]).toBe(fixture.ids.crash);
    expect((await idsFor({ sort: 'updated', direction: 'asc' })).at(-1)).toBe(fixture.ids.crash);
  });
});

describe('IssuesDao.list paging', () => {
  it('walks every issue exactly once with keyset cursors, for every sort and direction', async () => {
    const repo = await repository(world.admin);
    const author = await user(world.admin);
    const created: number[] = [];
    for (let i = 0; i < 7; i += 1)
      created.push((await issues.create({ repoId: repo.id, authorId: author.id, title: `Paged ${i}` })).id);
    // Several issues share a timestamp and a comment count: the id breaks the tie.
    await world.admin.query(
      `UPDATE issues SET created_at = '2024-01-01T00:00:00.123456Z', updated_at = '2024-01-01T00:00:00.123456Z' WHERE id = ANY($1)`,
      [created.slice(0, 4)],
    );
    for (const sort of ['created', 'updated', 'comments'] as const) {
      for (const direction of ['asc', 'desc'] as const) {
        const seen: number[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await issues.list(repo.id, { sort, direction, limit: 3, cursor });
          seen.push(...page.items.map((issue) => issue.id));
          cursor = page.nextCursor ?? undefined;
          pages += 1;
        } while (cursor && pages < 10);
        expect({ sort, direction, seen: [...seen].sort((a, b) => a - b) }).toEqual({ sort, direction, seen: created });
        expect(pages).toBe(3);
      }
    }
  });

  it('caps the page size at 100 and defaults to 30', async () => {
    const repo = await repository(world.admin);
    const author = await user(world.admin);
    await world.admin.query(
      `INSERT INTO issues (repo_id, author_id, title) SELECT $1, $2, 'Bulk ' || n FROM generate_series(1, 35) n`,
      [repo.id, author.id],
    );
    const page = await issues.list(repo.id);
    expect(page.items).toHaveLength(30);
    expect(page.nextCursor).not.toBeNull();
    expect((await issues.list(repo.id, { cursor: page.nextCursor ?? undefined })).items).toHaveLength(5);
    await expect(issues.list(repo.id, { limit: 101 })).rejects.toBeInstanceOf(ValidationError);
    await expect(issues.list(repo.id, { limit: 0 })).rejects.toBeInstanceOf(ValidationError);
  });

  it('refuses forged, malformed or foreign cursors', async () => {
    const page = await issues.list(fixture.repoId, { limit: 1 });
    const cursor = page.nextCursor as string;
    const forge = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const bad = [
      'not a cursor!',
      Buffer.from('{').toString('base64url'),
      forge({ s: 'created', d: 'desc', v: "2024-01-01'; DROP TABLE issues; --", i: 1 }),
      forge({ s: 'created', d: 'desc', v: '2024-01-01T00:00:00.000000Z', i: -4 }),
      forge({ s: 'comments', d: 'desc', v: 'NaN', i: 1 }),
      forge({ s: 'created', d: 'desc', v: '2024-01-01T00:00:00.000000Z', i: 1, extra: true }),
    ];
    for (const forged of bad) {
      await expect(issues.list(fixture.repoId, { limit: 1, cursor: forged })).rejects.toMatchObject({
        code: 'validation_failed',
        details: { field: 'cursor' },
      });
    }
    await expect(issues.list(fixture.repoId, { limit: 1, cursor, sort: 'updated' })).rejects.toThrow(
      /different sort order/,
    );
    await expect(issues.list(fixture.repoId, { limit: 1, cursor, direction: 'asc' })).rejects.toThrow(
      /different sort order/,
    );
  });

  it('refuses unknown filters and bad values', async () => {
    for (const filters of [
      { state: 'merged' },
      { sort: 'votes' },
      { labels: new Array(11).fill('x') },
      { search: '   ' },
      { unknown: 1 },
    ]) {
      await expect(issues.list(fixture.repoId, filters as never)).rejects.toBeInstanceOf(ValidationError);
    }
  });
});
