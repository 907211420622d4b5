import { useTestDatabase } from '@plue/testing';
import { ValidationError } from '@plue/db';
import { CommentsDao, IssuesDao, ReactionsDao } from '../src';
import { countRows, openWorld, repository, user, type World } from './fixtures';

const database = useTestDatabase();
let world: World;
let reactions: ReactionsDao;

beforeAll(async () => {
  world = await openWorld(database());
  reactions = new ReactionsDao(world.db);
});
afterAll(() => world.db.destroy());

describe('ReactionsDao', () => {
  it('addresses an issue by its row id, never by its number', async () => {
    // Two repositories so that issue numbers and ids differ: the second repository's issue #1 has another id.
    const author = await user(world.admin);
    const issues = new IssuesDao(world.db);
    const repoA = await repository(world.admin);
    const repoB = await repository(world.admin);
    const a = [];
    for (let i = 0; i < 3; i += 1)
      a.push(await issues.create({ repoId: repoA.id, authorId: author.id, title: `A${i}` }));
    const target = await issues.create({ repoId: repoB.id, authorId: author.id, title: 'B1' });
    expect(target.issueNumber).toBe(1);
    expect(target.id).not.toBe(target.issueNumber);
    const { reaction, created } = await reactions.add({
      targetType: 'issue',
      targetId: target.id,
      userId: author.id,
      content: '+1',
    });
    expect(created).toBe(true);
    expect(reaction.targetId).toBe(target.id);
    // The stored target_id leads to the reacted issue, not to whichever issue has id = its number.
    const { rows } = await world.admin.query(
      `SELECT i.id, i.title FROM reactions r JOIN issues i ON i.id = r.target_id WHERE r.id = $1 AND r.target_type = 'issue'`,
      [reaction.id],
    );
    expect(rows.map((row) => [Number(row.id), row.title])).toEqual([[target.id, 'B1']]);
    expect((await reactions.summary('issue', target.id)).total).toBe(1);
    expect((await reactions.summary('issue', a[0].id)).total).toBe(0);
  });

  it('adds idempotently per target, user and content, and removes', async () => {
    const author = await user(world.admin);
    const other = await user(world.admin);
    const repo = await repository(world.admin);
    const issue = await new IssuesDao(world.db).create({ repoId: repo.id, authorId: author.id, title: 'React' });
    const comment = await new CommentsDao(world.db).create({ issueId: issue.id, authorId: author.id, body: 'nice' });
    const first = await reactions.add({
      targetType: 'comment',
      targetId: comment.id,
      userId: author.id,
      content: 'heart',
    });
    const again = await reactions.add({
      targetType: 'comment',
      targetId: comment.id,
      userId: author.id,
      content: 'heart',
    });
    expect(again).toEqual({ reaction: first.reaction, created: false });
    await reactions.add({ targetType: 'comment', targetId: comment.id, userId: author.id, content: 'rocket' });
    await reactions.add({ targetType: 'comment', targetId: comment.id, userId: other.id, content: 'heart' });
    expect(await reactions.summary('comment', comment.id)).toEqual({ counts: { heart: 2, rocket: 1 }, total: 3 });
    expect(await reactions.summary('issue', issue.id)).toEqual({ counts: {}, total: 0 });
    expect(
      await reactions.remove({ targetType: 'comment', targetId: comment.id, userId: author.id, content: 'heart' }),
    ).toBe(true);
    expect(
      await reactions.remove({ targetType: 'comment', targetId: comment.id, userId: author.id, content: 'heart' }),
    ).toBe(false);
    expect((await reactions.list('comment', comment.id)).map((r) => [r.userId, r.content])).toEqual([
      [author.id, 'rocket'],
      [other.id, 'heart'],
    ]);
  });

  it('is idempotent under concurrent duplicates', async () => {
    const author = await user(world.admin);
    const repo = await repository(world.admin);
    const issue = await new IssuesDao(world.db).create({ repoId: repo.id, authorId: author.id, title: 'Race' });
    const results = await Promise.all(
      Array.from({ length: 4 }, () =>
        reactions.add({ targetType: 'issue', targetId: issue.id, userId: author.id, content: 'eyes' }),
      ),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.reaction.id)).size).toBe(1);
  });

  it('refuses unknown targets and contents, writing nothing', async () => {
    const author = await user(world.admin);
    const before = await countRows(world.admin, 'reactions');
    await expect(
      reactions.add({ targetType: 'issue', targetId: 987654321, userId: author.id, content: '+1' }),
    ).rejects.toMatchObject({
      code: 'missing_reference',
      details: { constraint: 'reactions_target_fkey' },
    });
    for (const bad of [{ content: 'thumbsup' }, { targetType: 'review' }, { targetId: 0 }]) {
      await expect(
        reactions.add({ targetType: 'issue', targetId: 1, userId: author.id, content: '+1', ...bad } as never),
      ).rejects.toBeInstanceOf(ValidationError);
    }
    expect(await countRows(world.admin, 'reactions')).toBe(before);
  });
});
