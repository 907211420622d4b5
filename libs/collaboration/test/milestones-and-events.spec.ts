import { useTestDatabase } from '@plue/testing';
import { NotFoundError, ValidationError } from '@plue/db';
import { IssueEventsDao, IssuesDao, MilestonesDao } from '../src';
import { countRows, openWorld, repository, user, type World } from './fixtures';

const database = useTestDatabase();
let world: World;
let milestones: MilestonesDao;

beforeAll(async () => {
  world = await openWorld(database());
  milestones = new MilestonesDao(world.db);
});
afterAll(() => world.db.destroy());

describe('MilestonesDao', () => {
  it('creates, lists, updates, closes, reopens and deletes milestones', async () => {
    const repo = await repository(world.admin);
    const v2 = await milestones.create({ repoId: repo.id, title: 'v2', dueDate: '2030-06-01' });
    const v1 = await milestones.create({ repoId: repo.id, title: 'v1', description: 'First', dueDate: '2030-01-15' });
    const someday = await milestones.create({ repoId: repo.id, title: 'Someday' });
    expect(v1).toMatchObject({
      title: 'v1',
      description: 'First',
      dueDate: '2030-01-15',
      state: 'open',
      closedAt: null,
    });
    expect((await milestones.list(repo.id)).map((m) => m.title)).toEqual(['v1', 'v2', 'Someday']);

    const closed = await milestones.close(v1.id);
    expect(closed.state).toBe('closed');
    expect(closed.closedAt).toBeInstanceOf(Date);
    expect((await milestones.close(v1.id)).closedAt).toEqual(closed.closedAt);
    expect((await milestones.list(repo.id, 'closed')).map((m) => m.id)).toEqual([v1.id]);
    expect((await milestones.list(repo.id, 'all')).length).toBe(3);
    expect(await milestones.reopen(v1.id)).toMatchObject({ state: 'open', closedAt: null });

    expect(await milestones.update(v2.id, { title: 'v2.0', dueDate: null })).toMatchObject({
      title: 'v2.0',
      dueDate: null,
    });
    expect(await milestones.delete(someday.id)).toBe(true);
    expect(await milestones.getById(someday.id)).toBeNull();
    await expect(milestones.close(someday.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('refuses duplicate titles in any case and invalid input, writing nothing', async () => {
    const repo = await repository(world.admin);
    await milestones.create({ repoId: repo.id, title: 'Beta' });
    await expect(milestones.create({ repoId: repo.id, title: 'BETA' })).rejects.toMatchObject({
      code: 'conflict',
      details: { constraint: 'milestones_repo_id_lower_title_key' },
    });
    const before = await countRows(world.admin, 'milestones');
    for (const bad of [
      { title: '' },
      { title: ' ' },
      { dueDate: '2030-13-01' },
      { dueDate: 'tomorrow' },
      { state: 'closed' },
    ]) {
      await expect(milestones.create({ repoId: repo.id, title: 'ok', ...bad } as never)).rejects.toBeInstanceOf(
        ValidationError,
      );
    }
    expect(await countRows(world.admin, 'milestones')).toBe(before);
  });

  it('reports progress, and deleting a milestone only clears it from its issues', async () => {
    const repo = await repository(world.admin);
    const author = await user(world.admin);
    const milestone = await milestones.create({ repoId: repo.id, title: 'Sprint' });
    const issues = new IssuesDao(world.db);
    const open = await issues.create({
      repoId: repo.id,
      authorId: author.id,
      title: 'open one',
      milestoneId: milestone.id,
    });
    const done = await issues.create({
      repoId: repo.id,
      authorId: author.id,
      title: 'done one',
      milestoneId: milestone.id,
    });
    await issues.update(done.id, { state: 'closed' });
    expect(await milestones.progress(milestone.id)).toEqual({ open: 1, closed: 1 });
    await milestones.delete(milestone.id);
    expect(await issues.getById(open.id)).toMatchObject({ milestoneId: null, repoId: repo.id });
  });
});

describe('IssueEventsDao', () => {
  it('appends events and lists the timeline in order, paging with afterId', async () => {
    const repo = await repository(world.admin);
    const author = await user(world.admin);
    const issue = await new IssuesDao(world.db).create({ repoId: repo.id, authorId: author.id, title: 'Timeline' });
    const events = new IssueEventsDao(world.db);
    const referenced = await events.append({
      issueId: issue.id,
      actorId: author.id,
      eventType: 'referenced',
      payload: { commit: 'abc' },
    });
    const system = await events.append({ issueId: issue.id, eventType: 'locked' });
    expect(referenced).toMatchObject({
      issueId: issue.id,
      actorId: author.id,
      eventType: 'referenced',
      payload: { commit: 'abc' },
    });
    expect(system.actorId).toBeNull();
    const all = await events.listForIssue(issue.id);
    expect(all.map((e) => e.eventType)).toEqual(['opened', 'referenced', 'locked']);
    expect((await events.listForIssue(issue.id, { afterId: all[0].id, limit: 1 })).map((e) => e.id)).toEqual([
      referenced.id,
    ]);
    const before = await countRows(world.admin, 'issue_events');
    await expect(events.append({ issueId: issue.id, eventType: 'exploded' } as never)).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(
      events.append({ issueId: issue.id, eventType: 'closed', payload: [] as never }),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(events.append({ issueId: 987654321, eventType: 'closed' })).rejects.toMatchObject({
      code: 'missing_reference',
    });
    expect(await countRows(world.admin, 'issue_events')).toBe(before);
  });
});
