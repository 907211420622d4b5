import {
  CreateCommentRpc,
  CreateIssueRpc,
  DeleteCommentRpc,
  GetCommentRpc,
  GetIssueRpc,
  ListCommentsRpc,
  UpdateCommentRpc,
} from '@plue/contracts';
import { insertRepository, insertUser } from '@plue/testing';
import { failureOf } from './failure-of';
import { useCollaborationService } from './service-under-test';

const collaboration = useCollaborationService();

async function issueWithComments(bodies: string[]) {
  const { rpc, admin } = collaboration();
  const repository = await insertRepository(admin);
  const repoId = repository.id as number;
  const authorId = repository.user_id as number;
  const issue = await rpc.call(CreateIssueRpc, { repoId, authorId, title: 'discussed' });
  const comments = [];
  for (const body of bodies) {
    comments.push(await rpc.call(CreateCommentRpc, { repoId, issueNumber: issue.number, authorId, body }));
  }
  return { repoId, authorId, issue, comments };
}

async function mentionedUserIds(commentId: number): Promise<number[]> {
  const { rows } = await collaboration().admin.query(
    `SELECT user_id::int FROM mentions WHERE target_type = 'comment' AND target_id = $1 ORDER BY user_id`,
    [commentId],
  );
  return rows.map((row) => row.user_id as number);
}

it('gets, pages through, edits and deletes an issue’s comments', async () => {
  const { rpc, admin } = collaboration();
  const first = await insertUser(admin);
  const second = await insertUser(admin);
  const { repoId, issue, comments } = await issueWithComments([`hi @${String(first.username)}`, 'two', 'three']);
  const [one, two, three] = comments;

  expect(await rpc.call(GetCommentRpc, { repoId, commentId: two.id })).toEqual(two);

  const page1 = await rpc.call(ListCommentsRpc, { repoId, issueNumber: issue.number, limit: 2 });
  expect(page1.items).toEqual([one, two]);
  const page2 = await rpc.call(ListCommentsRpc, {
    repoId,
    issueNumber: issue.number,
    limit: 2,
    cursor: page1.nextCursor!,
  });
  expect(page2).toEqual({ items: [three], nextCursor: null });

  const edited = await rpc.call(UpdateCommentRpc, {
    repoId,
    commentId: one.id,
    body: `now @${String(second.username)}`,
  });
  expect(edited).toMatchObject({ id: one.id, issueNumber: issue.number, body: `now @${String(second.username)}` });
  expect(edited.editedAt).not.toBeNull();
  expect(await mentionedUserIds(one.id)).toEqual([second.id]);

  expect(await rpc.call(DeleteCommentRpc, { repoId, commentId: one.id })).toEqual({ deleted: true, commentId: one.id });
  expect(await mentionedUserIds(one.id)).toEqual([]);
  expect(await failureOf(rpc.call(GetCommentRpc, { repoId, commentId: one.id }))).toMatchObject({
    code: 'not_found',
    details: { field: 'commentId' },
  });
  expect((await rpc.call(ListCommentsRpc, { repoId, issueNumber: issue.number })).items).toEqual([two, three]);
  expect((await rpc.call(GetIssueRpc, { repoId, number: issue.number })).commentCount).toBe(2);
});

it('answers invalid comment requests with validation_failed naming the field, and writes nothing', async () => {
  const { rpc, admin, count } = collaboration();
  const { repoId, issue, comments } = await issueWithComments(['original']);
  const before = await count('comments');

  expect(
    await failureOf(rpc.callUnchecked(UpdateCommentRpc, { repoId, commentId: comments[0].id, body: '  ' })),
  ).toMatchObject({
    code: 'validation_failed',
    details: { issues: [{ field: 'body', message: 'must not be blank' }] },
  });
  expect(await failureOf(rpc.callUnchecked(UpdateCommentRpc, { repoId, commentId: 'first', body: 'x' }))).toMatchObject(
    { code: 'validation_failed', details: { issues: [{ field: 'commentId', message: expect.any(String) }] } },
  );
  expect(
    await failureOf(rpc.callUnchecked(ListCommentsRpc, { repoId, issueNumber: issue.number, limit: 500 })),
  ).toMatchObject({
    code: 'validation_failed',
    details: { issues: [{ field: 'limit', message: expect.any(String) }] },
  });
  expect(
    await failureOf(rpc.call(ListCommentsRpc, { repoId, issueNumber: issue.number, cursor: 'not-a-cursor' })),
  ).toMatchObject({
    code: 'validation_failed',
    details: { issues: [{ field: 'cursor', message: expect.any(String) }] },
  });

  expect(await count('comments')).toBe(before);
  const { rows } = await admin.query('SELECT body, edited_at FROM comments WHERE id = $1', [comments[0].id]);
  expect(rows).toEqual([{ body: 'original', edited_at: null }]);
});

it('answers not_found for another repository’s comment or an unknown issue, and changes nothing', async () => {
  const { rpc, count } = collaboration();
  const mine = await issueWithComments([]);
  const theirs = await issueWithComments(['theirs']);
  const foreign = theirs.comments[0];
  const before = await count('comments');

  for (const call of [
    rpc.call(GetCommentRpc, { repoId: mine.repoId, commentId: foreign.id }),
    rpc.call(UpdateCommentRpc, { repoId: mine.repoId, commentId: foreign.id, body: 'hijacked' }),
    rpc.call(DeleteCommentRpc, { repoId: mine.repoId, commentId: foreign.id }),
    rpc.call(GetCommentRpc, { repoId: mine.repoId, commentId: 987_654_321 }),
  ]) {
    expect(await failureOf(call)).toMatchObject({ code: 'not_found', details: { field: 'commentId' } });
  }
  expect(await failureOf(rpc.call(ListCommentsRpc, { repoId: mine.repoId, issueNumber: 42 }))).toMatchObject({
    code: 'not_found',
    details: { field: 'issueNumber' },
  });

  expect(await count('comments')).toBe(before);
  expect(await rpc.call(GetCommentRpc, { repoId: theirs.repoId, commentId: foreign.id })).toEqual(foreign);
});
