import { useTestDatabase } from '@plue/testing';
import { ConflictError, MissingReferenceError, NotFoundError, ValidationError } from '@plue/db';
import {
  DEFAULT_LABELS,
  IssueAssigneesDao,
  IssueEventsDao,
  IssuesDao,
  LabelsDao,
  MAX_ASSIGNEES_PER_ISSUE,
} from '../src';
import { countRows, openWorld, repository, user, type World } from './fixtures';

const database = useTestDatabase();
let world: World;
let labels: LabelsDao;

beforeAll(async () => {
  world = await openWorld(database());
  labels = new LabelsDao(world.db);
});
afterAll(() => world.db.destroy());

async function newIssue() {
  const repo = await repository(world.admin);
  const author = await user(world.admin);
  const issue = await new IssuesDao(world.db).create({ repoId: repo.id, authorId: author.id, title: 'Labeled' });
  return { repo, author, issue };
}

describe('LabelsDao CRUD', () => {
  it('creates, reads, lists, updates and deletes labels', async () => {
    const repo = await repository(world.admin);
    const label = await labels.create({ repoId: repo.id, name: 'needs triage', color: '#AABBCC', description: 'New' });
    await labels.create({ repoId: repo.id, name: 'Alpha', color: '#000000' });
    expect(await labels.getById(label.id)).toMatchObject({
      name: 'needs triage',
      color: '#AABBCC',
      description: 'New',
      exclusive: false,
    });
    expect((await labels.list(repo.id)).map((l) => l.name)).toEqual(['Alpha', 'needs triage']);
    expect(await labels.update(label.id, { name: 'triage', description: null })).toMatchObject({
      name: 'triage',
      description: null,
      color: '#AABBCC',
    });
    expect(await labels.delete(label.id)).toBe(true);
    expect(await labels.getById(label.id)).toBeNull();
    expect(await labels.delete(label.id)).toBe(false);
    await expect(labels.update(label.id, { color: '#000000' })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('validates the #rrggbb color (and the name) before SQL, writing nothing', async () => {
    const repo = await repository(world.admin);
    const before = await countRows(world.admin, 'labels');
    for (const bad of [
      { color: 'red' },
      { color: '#abc' },
      { color: '#abcdeg' },
      { color: 'abcdef' },
      { color: '#abcdef0' },
      { name: '' },
      { name: '  ' },
      { name: 'x'.repeat(51) },
    ]) {
      await expect(labels.create({ repoId: repo.id, name: 'ok', color: '#abcdef', ...bad })).rejects.toBeInstanceOf(
        ValidationError,
      );
    }
    expect(await countRows(world.admin, 'labels')).toBe(before);
  });

  it('refuses a second label of the same name in any case, per repository', async () => {
    const repo = await repository(world.admin);
    const other = await repository(world.admin);
    await labels.create({ repoId: repo.id, name: 'Bug', color: '#d73a4a' });
    await expect(labels.create({ repoId: repo.id, name: 'bUG', color: '#000000' })).rejects.toMatchObject({
      code: 'conflict',
      details: { constraint: 'labels_repo_id_lower_name_key' },
    });
    await expect(labels.create({ repoId: other.id, name: 'bug', color: '#000000' })).resolves.toMatchObject({
      name: 'bug',
    });
    const renamed = await labels.create({ repoId: repo.id, name: 'other', color: '#000000' });
    await expect(labels.update(renamed.id, { name: 'BUG' })).rejects.toBeInstanceOf(ConflictError);
  });

  it('creates the default labels idempotently, keeping labels that already exist under any case', async () => {
    const repo = await repository(world.admin);
    await labels.create({ repoId: repo.id, name: 'BUG', color: '#123456' });
    const created = await labels.createDefaults(repo.id);
    expect(created.map((l) => l.name).sort()).toEqual(
      DEFAULT_LABELS.map((l) => l.name)
        .filter((n) => n !== 'bug')
        .sort(),
    );
    expect(await labels.createDefaults(repo.id)).toEqual([]);
    const all = await labels.list(repo.id);
    expect(all).toHaveLength(DEFAULT_LABELS.length);
    expect(all.find((l) => l.name.toLowerCase() === 'bug')).toMatchObject({ name: 'BUG', color: '#123456' });
    expect(DEFAULT_LABELS.map((l) => l.name)).toEqual(
      expect.arrayContaining(['bug', 'enhancement', 'documentation', 'question', 'good first issue', 'help wanted']),
    );
  });
});

describe('labels on issues', () => {
  it('adds, removes and sets labels, recording labeled/unlabeled events', async () => {
    const { repo, author, issue } = await newIssue();
    const [a, b, c] = [
      await labels.create({ repoId: repo.id, name: 'a', color: '#000001' }),
      await labels.create({ repoId: repo.id, name: 'b', color: '#000002' }),
      await labels.create({ repoId: repo.id, name: 'c', color: '#000003' }),
    ];
    expect(await labels.addToIssue(issue.id, [a.id, b.id, a.id], author.id)).toEqual({
      added: [a.id, b.id],
      removed: [],
    });
    expect(await labels.addToIssue(issue.id, [a.id], author.id)).toEqual({ added: [], removed: [] });
    expect(await labels.setForIssue(issue.id, [b.id, c.id], author.id)).toEqual({ added: [c.id], removed: [a.id] });
    expect(await labels.removeFromIssue(issue.id, [b.id, a.id], author.id)).toEqual({ added: [], removed: [b.id] });
    expect((await labels.listForIssue(issue.id)).map((l) => l.name)).toEqual(['c']);
    const events = (await new IssueEventsDao(world.db).listForIssue(issue.id)).filter((e) => e.eventType !== 'opened');
    expect(events.map((e) => [e.eventType, e.payload.labelId])).toEqual([
      ['labeled', a.id],
      ['labeled', b.id],
      ['unlabeled', a.id],
      ['labeled', c.id],
      ['unlabeled', b.id],
    ]);
  });

  it('refuses labels of another repository and unknown issues, writing nothing', async () => {
    const { issue } = await newIssue();
    const foreign = await labels.create({
      repoId: (await repository(world.admin)).id,
      name: 'theirs',
      color: '#000000',
    });
    const before = await countRows(world.admin, 'issue_labels');
    await expect(labels.addToIssue(issue.id, [foreign.id])).rejects.toBeInstanceOf(MissingReferenceError);
    await expect(labels.setForIssue(issue.id, [foreign.id])).rejects.toBeInstanceOf(MissingReferenceError);
    await expect(labels.addToIssue(987654321, [foreign.id])).rejects.toBeInstanceOf(NotFoundError);
    expect(await countRows(world.admin, 'issue_labels')).toBe(before);
  });

  it('keeps one exclusive label per scope on an issue', async () => {
    const { repo, issue } = await newIssue();
    const high = await labels.create({ repoId: repo.id, name: 'priority/high', color: '#ff0000', exclusive: true });
    const low = await labels.create({ repoId: repo.id, name: 'Priority/low', color: '#00ff00', exclusive: true });
    const team = await labels.create({ repoId: repo.id, name: 'team/web', color: '#0000ff', exclusive: true });
    const plain = await labels.create({ repoId: repo.id, name: 'priority/any', color: '#888888' });
    await labels.addToIssue(issue.id, [high.id, team.id, plain.id]);
    expect(await labels.addToIssue(issue.id, [low.id])).toEqual({ added: [low.id], removed: [high.id] });
    expect((await labels.listForIssue(issue.id)).map((l) => l.name)).toEqual([
      'priority/any',
      'Priority/low',
      'team/web',
    ]);
    await expect(labels.setForIssue(issue.id, [high.id, low.id])).rejects.toBeInstanceOf(ConflictError);
    expect((await labels.listForIssue(issue.id)).map((l) => l.name)).toEqual([
      'priority/any',
      'Priority/low',
      'team/web',
    ]);
  });

  it('deleting a label takes it off its issues', async () => {
    const { repo, issue } = await newIssue();
    const label = await labels.create({ repoId: repo.id, name: 'temp', color: '#000000' });
    await labels.addToIssue(issue.id, [label.id]);
    await labels.delete(label.id);
    expect(await labels.listForIssue(issue.id)).toEqual([]);
  });
});

describe('IssueAssigneesDao', () => {
  it('adds and removes assignees once each, recording assigned/unassigned events', async () => {
    const { author, issue } = await newIssue();
    const assignees = new IssueAssigneesDao(world.db);
    const [x, y] = [await user(world.admin), await user(world.admin)];
    expect(await assignees.add(issue.id, [x.id, y.id, x.id], author.id)).toEqual([x.id, y.id]);
    expect(await assignees.add(issue.id, [x.id], author.id)).toEqual([]);
    expect(await assignees.remove(issue.id, [x.id, 987654321], author.id)).toEqual([x.id]);
    expect((await assignees.list(issue.id)).map((a) => a.userId)).toEqual([y.id]);
    const events = (await new IssueEventsDao(world.db).listForIssue(issue.id)).filter((e) => e.eventType !== 'opened');
    expect(events.map((e) => [e.eventType, e.payload.assigneeId])).toEqual([
      ['assigned', x.id],
      ['assigned', y.id],
      ['unassigned', x.id],
    ]);
  });

  it(`allows at most ${MAX_ASSIGNEES_PER_ISSUE} assignees and refuses unknown users, writing nothing`, async () => {
    const { issue } = await newIssue();
    const assignees = new IssueAssigneesDao(world.db);
    const users = [];
    for (let i = 0; i <= MAX_ASSIGNEES_PER_ISSUE; i += 1) users.push((await user(world.admin)).id);
    await assignees.add(issue.id, users.slice(0, MAX_ASSIGNEES_PER_ISSUE));
    await expect(assignees.add(issue.id, users.slice(MAX_ASSIGNEES_PER_ISSUE))).rejects.toBeInstanceOf(ConflictError);
    await expect(assignees.add(issue.id, [987654321])).rejects.toMatchObject({
      code: 'missing_reference',
      details: { constraint: 'issue_assignees_user_id_fkey' },
    });
    expect(await countRows(world.admin, 'issue_assignees', 'issue_id = $1', [issue.id])).toBe(MAX_ASSIGNEES_PER_ISSUE);
  });
});
