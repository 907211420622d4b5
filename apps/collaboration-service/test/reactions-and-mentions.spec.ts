import {
  AddReactionRpc,
  CreateCommentRpc,
  CreateIssueRpc,
  ListMentionsRpc,
  ListReactionsRpc,
  ReactionSummaryRpc,
  RemoveReactionRpc,
} from '@plue/contracts';
import { insertRepository, insertUser } from '@plue/testing';
import { failureOf } from './failure-of';
import { useCollaborationService } from './service-under-test';

const collaboration = useCollaborationService();

async function issueWithComment(body = 'an issue') {
  const { rpc, admin } = collaboration();
  const repository = await insertRepository(admin);
  const repoId = repository.id as number;
  const authorId = repository.user_id as number;
  const issue = await rpc.call(CreateIssueRpc, { repoId, authorId, title: 'reacted to', body });
  const comment = await rpc.call(CreateCommentRpc, { repoId, issueNumber: issue.number, authorId, body: 'a comment' });
  return { repoId, authorId, issue, comment };
}

describe('reactions', () => {
  it('adds (idempotently), summarises, lists and removes reactions on issues and comments, by row id', async () => {
    const { rpc, admin } = collaboration();
    await issueWithComment(); // so that the next issue's row id differs from its number
    const { repoId, authorId, issue, comment } = await issueWithComment();
    const fan = (await insertUser(admin)).id as number;
    expect(issue.id).not.toBe(issue.number);
    const onIssue = { targetType: 'issue' as const, repoId, issueNumber: issue.number };
    const onComment = { targetType: 'comment' as const, repoId, commentId: comment.id };

    const added = await rpc.call(AddReactionRpc, { ...onIssue, userId: authorId, content: '+1' });
    expect(added).toEqual({
      created: true,
      reaction: {
        id: expect.any(Number),
        userId: authorId,
        content: '+1',
        targetType: 'issue',
        targetId: issue.id,
        createdAt: expect.any(String),
      },
    });
    expect(await rpc.call(AddReactionRpc, { ...onIssue, userId: authorId, content: '+1' })).toEqual({
      ...added,
      created: false,
    });
    await rpc.call(AddReactionRpc, { ...onIssue, userId: fan, content: '+1' });
    await rpc.call(AddReactionRpc, { ...onIssue, userId: fan, content: 'heart' });
    const onCommentReaction = await rpc.call(AddReactionRpc, { ...onComment, userId: fan, content: 'eyes' });
    expect(onCommentReaction.reaction).toMatchObject({ targetType: 'comment', targetId: comment.id });

    expect(await rpc.call(ReactionSummaryRpc, onIssue)).toEqual({ counts: { '+1': 2, heart: 1 }, total: 3 });
    expect(await rpc.call(ReactionSummaryRpc, onComment)).toEqual({ counts: { eyes: 1 }, total: 1 });
    const listed = await rpc.call(ListReactionsRpc, onIssue);
    expect(listed.items.map((reaction) => [reaction.userId, reaction.content])).toEqual([
      [authorId, '+1'],
      [fan, '+1'],
      [fan, 'heart'],
    ]);
    expect(listed.items[0]).toEqual(added.reaction);

    expect(await rpc.call(RemoveReactionRpc, { ...onIssue, userId: fan, content: '+1' })).toEqual({ removed: true });
    expect(await rpc.call(RemoveReactionRpc, { ...onIssue, userId: fan, content: '+1' })).toEqual({ removed: false });
    expect(await rpc.call(ReactionSummaryRpc, onIssue)).toEqual({ counts: { '+1': 1, heart: 1 }, total: 2 });
    const { rows } = await admin.query(
      `SELECT count(*)::int AS n FROM reactions WHERE target_type = 'issue' AND target_id = $1`,
      [issue.id],
    );
    expect(rows[0].n).toBe(2);
  });

  it('answers invalid reaction requests with validation_failed naming the field, and writes nothing', async () => {
    const { rpc, count } = collaboration();
    const { repoId, authorId, issue } = await issueWithComment();
    const before = await count('reactions');
    const onIssue = { targetType: 'issue', repoId, issueNumber: issue.number };

    expect(
      await failureOf(rpc.callUnchecked(AddReactionRpc, { ...onIssue, userId: authorId, content: 'thumbsup' })),
    ).toMatchObject({
      code: 'validation_failed',
      details: { issues: [{ field: 'content', message: expect.any(String) }] },
    });
    expect(
      await failureOf(
        rpc.callUnchecked(AddReactionRpc, { ...onIssue, targetType: 'review', userId: authorId, content: '+1' }),
      ),
    ).toMatchObject({
      code: 'validation_failed',
      details: { issues: [{ field: 'targetType', message: expect.any(String) }] },
    });
    expect(
      await failureOf(rpc.callUnchecked(AddReactionRpc, { ...onIssue, commentId: 1, userId: authorId, content: '+1' })),
    ).toMatchObject({
      code: 'validation_failed',
      details: { issues: [{ field: '(input)', message: expect.stringContaining('commentId') }] },
    });

    expect(await count('reactions')).toBe(before);
  });

  it('answers not_found for a target outside the repository and missing_reference for an unknown user', async () => {
    const { rpc, count } = collaboration();
    const mine = await issueWithComment();
    const theirs = await issueWithComment();
    const before = await count('reactions');

    expect(
      await failureOf(
        rpc.call(AddReactionRpc, {
          targetType: 'comment',
          repoId: mine.repoId,
          commentId: theirs.comment.id,
          userId: mine.authorId,
          content: 'laugh',
        }),
      ),
    ).toMatchObject({ code: 'not_found', details: { field: 'commentId' } });
    expect(
      await failureOf(rpc.call(ListReactionsRpc, { targetType: 'issue', repoId: mine.repoId, issueNumber: 2 })),
    ).toMatchObject({ code: 'not_found', details: { field: 'issueNumber' } });
    expect(
      await failureOf(
        rpc.call(AddReactionRpc, {
          targetType: 'issue',
          repoId: mine.repoId,
          issueNumber: mine.issue.number,
          userId: 987_654_321,
          content: 'rocket',
        }),
      ),
    ).toMatchObject({ code: 'missing_reference', details: { constraint: 'reactions_user_id_fkey' } });

    expect(await count('reactions')).toBe(before);
  });
});

describe('mentions', () => {
  it('lists a user’s mentions newest first, each with the issue its text is on', async () => {
    const { rpc, admin } = collaboration();
    const mentioned = await insertUser(admin);
    const name = String(mentioned.username);
    const inIssue = await issueWithComment(`@${name} can you look?`);
    const inComment = await issueWithComment();
    const comment = await rpc.call(CreateCommentRpc, {
      repoId: inComment.repoId,
      issueNumber: inComment.issue.number,
      authorId: inComment.authorId,
      body: `also @${name.toUpperCase()}`,
    });

    const listed = await rpc.call(ListMentionsRpc, { userId: mentioned.id as number });
    expect(listed.items).toEqual([
      {
        id: expect.any(Number),
        userId: mentioned.id,
        targetType: 'comment',
        targetId: comment.id,
        repoId: inComment.repoId,
        issueNumber: inComment.issue.number,
        createdAt: expect.any(String),
      },
      {
        id: expect.any(Number),
        userId: mentioned.id,
        targetType: 'issue',
        targetId: inIssue.issue.id,
        repoId: inIssue.repoId,
        issueNumber: inIssue.issue.number,
        createdAt: expect.any(String),
      },
    ]);
    expect((await rpc.call(ListMentionsRpc, { userId: mentioned.id as number, limit: 1 })).items).toEqual(
      listed.items.slice(0, 1),
    );
    expect((await rpc.call(ListMentionsRpc, { userId: inIssue.authorId })).items).toEqual([]);
  });

  it('refuses a bad user id or page size', async () => {
    const { rpc } = collaboration();

    expect(await failureOf(rpc.callUnchecked(ListMentionsRpc, { userId: 0 }))).toMatchObject({
      code: 'validation_failed',
      details: { issues: [{ field: 'userId', message: expect.any(String) }] },
    });
    expect(await failureOf(rpc.callUnchecked(ListMentionsRpc, { userId: 1, limit: 101 }))).toMatchObject({
      code: 'validation_failed',
      details: { issues: [{ field: 'limit', message: expect.any(String) }] },
    });
  });
});
