import { useTestDatabase } from '@plue/testing';
import { NotFoundError, ValidationError } from '@plue/db';
import { CommentsDao, IssuesDao, MentionsDao, ReactionsDao, parseMentions } from '../src';
import { collaborationRowCounts, countRows, openWorld, repository, user, type World } from './fixtures';

const database = useTestDatabase();
let world: World;
let comments: CommentsDao;
let mentions: MentionsDao;

beforeAll(async () => {
  world = await openWorld(database());
  comments = new CommentsDao(world.db);
  mentions = new MentionsDao(world.db);
});
afterAll(() => world.db.destroy());

async function newIssue() {
  const repo = await repository(world.admin);
  const author = await user(world.admin);
  const issue = await new IssuesDao(world.db).create({ repoId: repo.id, authorId: author.id, title: 'Discuss' });
  return { issue, author };
}

describe('mention parsing mirrors users_username_check', () => {
  it('accepts exactly the usernames the database accepts', async () => {
    const alphabet = ['a', 'Z', '7', '-', '_', '.'];
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    // Mostly short names (most long random strings are invalid), plus the lengths around 39.
    const candidates = Array.from({ length: 600 }, (_, i) => {
      const length = i % 10 === 0 ? 37 + (i % 6) : 1 + Math.floor(random() * 6);
      const pick = () => alphabet[Math.floor(random() * (i % 10 === 0 ? 3 : alphabet.length))];
      return Array.from({ length }, pick).join('');
    });
    const { rows } = await world.admin.query(
      `SELECT c, char_length(c) <= 39 AND c ~ '^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$' AS valid FROM unnest($1::text[]) c`,
      [candidates],
    );
    expect(rows.filter((row) => row.valid).length).toBeGreaterThan(100);
    for (const { c, valid } of rows) {
      // Followed by a space so that only the candidate itself decides.
      expect({ c, mentioned: parseMentions(`@${c} `)[0] === c.toLowerCase() }).toEqual({ c, mentioned: valid });
    }
  });
});

describe('MentionsDao.sync', () => {
  it('stores each mentioned existing user once, case-insensitively, and reports what changed', async () => {
    const { issue } = await newIssue();
    const alice = await user(world.admin);
    const bob = await user(world.admin);
    const first = await mentions.sync(
      'issue',
      issue.id,
      `@${alice.username} @${alice.username.toUpperCase()} @ghost-of-nobody`,
    );
    expect(first).toEqual({ addedUserIds: [alice.id], removedUserIds: [] });
    const second = await mentions.sync('issue', issue.id, `@${bob.username} and again @${alice.username}`);
    expect(second).toEqual({ addedUserIds: [bob.id], removedUserIds: [] });
    const third = await mentions.sync('issue', issue.id, `only @${bob.username}`);
    expect(third).toEqual({ addedUserIds: [], removedUserIds: [alice.id] });
    expect(await countRows(world.admin, 'mentions', `target_type = 'issue' AND target_id = $1`, [issue.id])).toBe(1);
    expect(await mentions.listForUser(bob.id)).toEqual([
      {
        mention: expect.objectContaining({ targetType: 'issue', targetId: issue.id }),
        repoId: issue.repoId,
        issueNumber: issue.issueNumber,
      },
    ]);
  });

  it('refuses a target that does not exist', async () => {
    const someone = await user(world.admin);
    await expect(mentions.sync('comment', 987654321, `@${someone.username}`)).rejects.toMatchObject({
      code: 'missing_reference',
      details: { constraint: 'mentions_target_fkey' },
    });
  });
});

describe('CommentsDao', () => {
  it('creates a comment with its mentions in one transaction, and the issue counts it', async () => {
    const { issue, author } = await newIssue();
    const mentioned = await user(world.admin);
    const comment = await comments.create({
      issueId: issue.id,
      authorId: author.id,
      body: `ping @${mentioned.username}`,
    });
    expect(comment).toMatchObject({ issueId: issue.id, authorId: author.id, editedAt: null });
    expect((await mentions.listForTarget('comment', comment.id)).map((m) => m.userId)).toEqual([mentioned.id]);
    expect((await new IssuesDao(world.db).getById(issue.id))?.commentCount).toBe(1);
  });

  it("joins the caller's transaction: a later failure there rolls back the comment and its mentions", async () => {
    const { issue, author } = await newIssue();
    const mentioned = await user(world.admin);
    const before = await collaborationRowCounts(world.admin);
    await expect(
      world.db.transaction(async (tx) => {
        await comments.create({ issueId: issue.id, authorId: author.id, body: `@${mentioned.username}` }, tx);
        throw new Error('the service failed after writing the comment');
      }),
    ).rejects.toThrow('the service failed');
    expect(await collaborationRowCounts(world.admin)).toEqual(before);
  });

  it('edits: sets edited_at and re-syncs mentions', async () => {
    const { issue, author } = await newIssue();
    const [first, second] = [await user(world.admin), await user(world.admin)];
    const comment = await comments.create({ issueId: issue.id, authorId: author.id, body: `@${first.username}` });
    const edited = await comments.edit(comment.id, `now @${second.username}`);
    expect(edited.body).toBe(`now @${second.username}`);
    expect(edited.editedAt).toBeInstanceOf(Date);
    expect((await mentions.listForTarget('comment', comment.id)).map((m) => m.userId)).toEqual([second.id]);
    await expect(comments.edit(987654321, 'x')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('deletes a comment with its mentions and reactions, and the count follows', async () => {
    const { issue, author } = await newIssue();
    const mentioned = await user(world.admin);
    const comment = await comments.create({ issueId: issue.id, authorId: author.id, body: `@${mentioned.username}` });
    await new ReactionsDao(world.db).add({
      targetType: 'comment',
      targetId: comment.id,
      userId: author.id,
      content: 'heart',
    });
    expect(await comments.delete(comment.id)).toBe(true);
    expect(await comments.delete(comment.id)).toBe(false);
    expect(await countRows(world.admin, 'mentions', `target_type = 'comment' AND target_id = $1`, [comment.id])).toBe(
      0,
    );
    expect(await countRows(world.admin, 'reactions', `target_type = 'comment' AND target_id = $1`, [comment.id])).toBe(
      0,
    );
    expect((await new IssuesDao(world.db).getById(issue.id))?.commentCount).toBe(0);
  });

  it("lists an issue's comments oldest first with keyset pages", async () => {
    const { issue, author } = await newIssue();
    const ids: number[] = [];
    for (let i = 0; i < 5; i += 1)
      ids.push((await comments.create({ issueId: issue.id, authorId: author.id, body: `comment ${i}` })).id);
    // Equal timestamps: the id orders them.
    await world.admin.query(`UPDATE comments SET created_at = '2024-05-01T10:00:00.000001Z' WHERE id = ANY($1)`, [
      ids.slice(1, 4),
    ]);
    const seen: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await comments.listByIssue(issue.id, { limit: 2, cursor });
      seen.push(...page.items.map((c) => c.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual([ids[1], ids[2], ids[3], ids[0], ids[4]]);
    await expect(comments.listByIssue(issue.id, { cursor: 'bogus' })).rejects.toMatchObject({
      details: { field: 'cursor' },
    });
    await expect(comments.listByIssue(issue.id, { limit: 101 })).rejects.toBeInstanceOf(ValidationError);
  });

  it('refuses empty, blank or oversized bodies and unknown issues, writing nothing', async () => {
    const { issue, author } = await newIssue();
    const before = await collaborationRowCounts(world.admin);
    for (const body of ['', '   ', 'x'.repeat(65537)]) {
      await expect(comments.create({ issueId: issue.id, authorId: author.id, body })).rejects.toBeInstanceOf(
        ValidationError,
      );
    }
    await expect(comments.create({ issueId: 987654321, authorId: author.id, body: 'hello' })).rejects.toMatchObject({
      code: 'missing_reference',
      details: { constraint: 'comments_issue_id_fkey' },
    });
    expect(await collaborationRowCounts(world.admin)).toEqual(before);
  });
});
