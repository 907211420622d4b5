import { useTestDatabase } from '@plue/testing';
import { MissingReferenceError, NotFoundError, ValidationError } from '@plue/db';
import { IssuesDao, LabelsDao, MentionsDao, IssueEventsDao, IssueAssigneesDao } from '../src';
import { collaborationRowCounts, openWorld, repository, user, type World } from './fixtures';
import { openDataSource } from './support';

const database = useTestDatabase();
let world: World;
let issues: IssuesDao;

beforeAll(async () => {
  world = await openWorld(database());
  issues = new IssuesDao(world.db);
});
afterAll(() => world.db.destroy());

async function numbersOf(repoId: number): Promise<number[]> {
  const { rows } = await world.admin.query('SELECT issue_number FROM issues WHERE repo_id = $1 ORDER BY issue_number', [
    repoId,
  ]);
  return rows.map((row) => Number(row.issue_number));
}

describe('IssuesDao.create', () => {
  it('numbers issues per repository from 1, and writes labels, assignees, the opened event and mentions in one go', async () => {
    const repo = await repository(world.admin);
    const other = await repository(world.admin);
    const author = await user(world.admin);
    const assignee = await user(world.admin);
    const mentioned = await user(world.admin);
    const label = await new LabelsDao(world.db).create({ repoId: repo.id, name: 'bug', color: '#d73a4a' });

    const first = await issues.create({
      repoId: repo.id,
      authorId: author.id,
      title: 'Crash on start',
      body: `cc @${mentioned.username.toUpperCase()} and @nobody-by-this-name`,
      labelIds: [label.id],
      assigneeIds: [assignee.id],
    });
    const second = await issues.create({ repoId: repo.id, authorId: author.id, title: 'Second' });
    const elsewhere = await issues.create({ repoId: other.id, authorId: author.id, title: 'Elsewhere' });

    expect([first.issueNumber, second.issueNumber, elsewhere.issueNumber]).toEqual([1, 2, 1]);
    expect(first).toMatchObject({
      repoId: repo.id,
      authorId: author.id,
      state: 'open',
      isPull: false,
      closedAt: null,
      commentCount: 0,
    });
    expect((await issues.getWithLabels(first.id))?.labels).toEqual(['bug']);
    expect((await new IssueAssigneesDao(world.db).list(first.id)).map((a) => a.userId)).toEqual([assignee.id]);
    expect((await new MentionsDao(world.db).listForTarget('issue', first.id)).map((m) => m.userId)).toEqual([
      mentioned.id,
    ]);
    const events = await new IssueEventsDao(world.db).listForIssue(first.id);
    expect(events.map((e) => e.eventType)).toEqual(['opened', 'labeled', 'assigned']);
    expect(events.every((e) => e.actorId === author.id)).toBe(true);
  });

  it('gives 50 concurrent creators on separate connections exactly the numbers 1..50', async () => {
    const repo = await repository(world.admin);
    const author = await user(world.admin);
    const wide = await openDataSource(database().urlFor('plue_collaboration'), 50);
    try {
      const dao = new IssuesDao(wide);
      const created = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          dao.create({ repoId: repo.id, authorId: author.id, title: `Concurrent ${i}` }),
        ),
      );
      const numbers = created.map((issue) => issue.issueNumber).sort((a, b) => a - b);
      expect(numbers).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      expect(await numbersOf(repo.id)).toEqual(numbers);
      const { rows } = await world.admin.query('SELECT next_issue_number FROM repositories WHERE id = $1', [repo.id]);
      expect(Number(rows[0].next_issue_number)).toBe(51);
    } finally {
      await wide.destroy();
    }
  });

  it('burns no number when the insert fails inside its transaction (bad label, foreign milestone, CHECK violation)', async () => {
    const repo = await repository(world.admin);
    const other = await repository(world.admin);
    const author = await user(world.admin);
    const foreignMilestone = await world.admin.query(
      `INSERT INTO milestones (repo_id, title) VALUES ($1, 'v1') RETURNING id`,
      [other.id],
    );
    await issues.create({ repoId: repo.id, authorId: author.id, title: 'One' });

    await expect(
      issues.create({ repoId: repo.id, authorId: author.id, title: 'Bad label', labelIds: [987654321] }),
    ).rejects.toBeInstanceOf(MissingReferenceError);
    await expect(
      issues.create({
        repoId: repo.id,
        authorId: author.id,
        title: 'Foreign milestone',
        milestoneId: Number(foreignMilestone.rows[0].id),
      }),
    ).rejects.toMatchObject({ code: 'missing_reference', details: { constraint: 'issues_milestone_id_fkey' } });
    // A CHECK the database refuses after the trigger allocated a number (bypassing the DAO's validation).
    const asService = await database().connect('plue_collaboration');
    await expect(
      asService.query(`INSERT INTO issues (repo_id, author_id, title) VALUES ($1, $2, '   ')`, [repo.id, author.id]),
    ).rejects.toMatchObject({
      constraint: 'issues_title_check',
    });

    const next = await issues.create({ repoId: repo.id, authorId: author.id, title: 'Two' });
    expect(next.issueNumber).toBe(2);
    expect(await numbersOf(repo.id)).toEqual([1, 2]);
  });

  it('refuses invalid input before SQL and writes nothing', async () => {
    const repo = await repository(world.admin);
    const author = await user(world.admin);
    const before = await collaborationRowCounts(world.admin);
    const bad = [
      { repoId: repo.id, authorId: author.id, title: '' },
      { repoId: repo.id, authorId: author.id, title: '   ' },
      { repoId: repo.id, authorId: author.id, title: 'x'.repeat(256) },
      { repoId: repo.id, authorId: author.id, title: 'ok', body: 'b'.repeat(65537) },
      { repoId: -1, authorId: author.id, title: 'ok' },
      { repoId: repo.id, authorId: author.id, title: 'ok', issueNumber: 7 },
      { repoId: repo.id, authorId: author.id, title: 'ok', labelIds: ['bug'] },
    ];
    for (const input of bad) {
      await expect(issues.create(input as never)).rejects.toBeInstanceOf(ValidationError);
    }
    expect(await collaborationRowCounts(world.admin)).toEqual(before);
  });

  it('maps an unknown repository or author to MissingReferenceError and writes nothing', async () => {
    const repo = await repository(world.admin);
    const author = await user(world.admin);
    const before = await collaborationRowCounts(world.admin);
    await expect(issues.create({ repoId: 987654321, authorId: author.id, title: 'x' })).rejects.toMatchObject({
      code: 'missing_reference',
      details: { constraint: 'issues_repo_id_fkey' },
    });
    await expect(issues.create({ repoId: repo.id, authorId: 987654321, title: 'x' })).rejects.toMatchObject({
      code: 'missing_reference',
      details: { constraint: 'issues_author_id_fkey' },
    });
    expect(await collaborationRowCounts(world.admin)).toEqual(before);
  });
});

describe('IssuesDao reads', () => {
  it('finds issues by id and by number, and returns null for unknown ones', async () => {
    const repo = await repository(world.admin);
    const author = await user(world.admin);
    const issue = await issues.create({ repoId: repo.id, authorId: author.id, title: 'Find me' });
    expect(await issues.getById(issue.id)).toMatchObject({ id: issue.id, title: 'Find me' });
    expect(await issues.getByNumber(repo.id, issue.issueNumber)).toMatchObject({ id: issue.id });
    expect(await issues.getByNumber(repo.id, issue.issueNumber + 1)).toBeNull();
    expect(await issues.getById(987654321)).toBeNull();
    expect(await issues.getWithLabels(987654321)).toBeNull();
  });

  it('getWithLabels returns the label names alphabetically, and an empty list for an unlabeled issue', async () => {
    const repo = await repository(world.admin);
    const author = await user(world.admin);
    const labels = new LabelsDao(world.db);
    const zeta = await labels.create({ repoId: repo.id, name: 'Zeta', color: '#000000' });
    const alpha = await labels.create({ repoId: repo.id, name: 'alpha', color: '#ffffff' });
    const labeled = await issues.create({
      repoId: repo.id,
      authorId: author.id,
      title: 'Labeled',
      labelIds: [zeta.id, alpha.id],
    });
    const bare = await issues.create({ repoId: repo.id, authorId: author.id, title: 'Bare' });
    expect(await issues.getWithLabels(labeled.id)).toMatchObject({
      id: labeled.id,
      title: 'Labeled',
      labels: ['alpha', 'Zeta'],
    });
    expect((await issues.getWithLabels(bare.id))?.labels).toEqual([]);
  });
});

describe('IssuesDao.update', () => {
  it('keeps closed_at consistent with the state and records closed/reopened events', async () => {
    const repo = await repository(world.admin);
    const author = await user(world.admin);
    const closer = await user(world.admin);
    const issue = await issues.create({ repoId: repo.id, authorId: author.id, title: 'Close me' });

    const closed = await issues.update(issue.id, { state: 'closed', actorId: closer.id });
    expect(closed.state).toBe('closed');
    expect(closed.closedAt).toBeInstanceOf(Date);
    const reopened = await issues.update(issue.id, { state: 'open', actorId: author.id });
    expect(reopened).toMatchObject({ state: 'open', closedAt: null });
    const unchanged = await issues.update(issue.id, { state: 'open', actorId: author.id });
    expect(unchanged.state).toBe('open');

    const events = await new IssueEventsDao(world.db).listForIssue(issue.id);
    expect(events.map((e) => [e.eventType, e.actorId])).toEqual([
      ['opened', author.id],
      ['closed', closer.id],
      ['reopened', author.id],
    ]);
  });

  it('records renames and milestone changes, and re-syncs mentions when the body changes', async () => {
    const repo = await repository(world.admin);
    const author = await user(world.admin);
    const kept = await user(world.admin);
    const dropped = await user(world.admin);
    const added = await user(world.admin);
    const { rows } = await world.admin.query(
      `INSERT INTO milestones (repo_id, title) VALUES ($1, 'v1'), ($1, 'v2') RETURNING id`,
      [repo.id],
    );
    const [v1, v2] = rows.map((row) => Number(row.id));
    const issue = await issues.create({
      repoId: repo.id,
      authorId: author.id,
      title: 'Old title',
      body: `@${kept.username} @${dropped.username}`,
      milestoneId: v1,
    });

    const updated = await issues.update(issue.id, {
      actorId: author.id,
      title: 'New title',
      body: `@${kept.username} @${added.username}`,
      milestoneId: v2,
    });
    expect(updated).toMatchObject({
      title: 'New title',
      milestoneId: v2,
      body: `@${kept.username} @${added.username}`,
    });
    const mentioned = (await new MentionsDao(world.db).listForTarget('issue', issue.id))
      .map((m) => m.userId)
      .sort((a, b) => a - b);
    expect(mentioned).toEqual([kept.id, added.id].sort((a, b) => a - b));

    const events = await new IssueEventsDao(world.db).listForIssue(issue.id);
    expect(events.map((e) => [e.eventType, e.payload])).toEqual([
      ['opened', {}],
      ['milestoned', { milestoneId: v1 }],
      ['renamed', { from: 'Old title', to: 'New title' }],
      ['demilestoned', { milestoneId: v1 }],
      ['milestoned', { milestoneId: v2 }],
    ]);
    await issues.update(issue.id, { milestoneId: null });
    expect((await issues.getById(issue.id))?.milestoneId).toBeNull();
  });

  it('throws NotFoundError for an unknown issue and writes nothing for invalid input', async () => {
    const repo = await repository(world.admin);
    const author = await user(world.admin);
    const issue = await issues.create({ repoId: repo.id, authorId: author.id, title: 'Stay' });
    await expect(issues.update(987654321, { title: 'x' })).rejects.toBeInstanceOf(NotFoundError);
    const before = await collaborationRowCounts(world.admin);
    for (const bad of [{ title: '' }, { state: 'merged' }, { milestoneId: 0 }, { commentCount: 5 }, { body: 7 }]) {
      await expect(issues.update(issue.id, bad as never)).rejects.toBeInstanceOf(ValidationError);
    }
    expect(await collaborationRowCounts(world.admin)).toEqual(before);
    expect(await issues.getById(issue.id)).toMatchObject({ title: 'Stay', state: 'open' });
  });

  it('refuses a milestone of another repository and leaves the issue unchanged', async () => {
    const repo = await repository(world.admin);
    const other = await repository(world.admin);
    const author = await user(world.admin);
    const { rows } = await world.admin.query(
      `INSERT INTO milestones (repo_id, title) VALUES ($1, 'theirs') RETURNING id`,
      [other.id],
    );
    const issue = await issues.create({ repoId: repo.id, authorId: author.id, title: 'Mine' });
    await expect(issues.update(issue.id, { title: 'Renamed', milestoneId: Number(rows[0].id) })).rejects.toBeInstanceOf(
      MissingReferenceError,
    );
    expect(await issues.getById(issue.id)).toMatchObject({ title: 'Mine', milestoneId: null });
    expect((await new IssueEventsDao(world.db).listForIssue(issue.id)).map((e) => e.eventType)).toEqual(['opened']);
  });

  it('leaves comment_count to the database, which follows the comments and refuses a negative count', async () => {
    const repo = await repository(world.admin);
    const author = await user(world.admin);
    const issue = await issues.create({ repoId: repo.id, authorId: author.id, title: 'Counted' });
    await world.admin.query(
      `INSERT INTO comments (issue_id, author_id, body) VALUES ($1, $2, 'hi'), ($1, $2, 'again')`,
      [issue.id, author.id],
    );
    expect((await issues.getById(issue.id))?.commentCount).toBe(2);
    await expect(
      world.admin.query('UPDATE issues SET comment_count = -1 WHERE id = $1', [issue.id]),
    ).rejects.toMatchObject({
      constraint: 'issues_comment_count_check',
    });
  });
});
