import { AddIssueAssigneesRpc, CreateIssueRpc, ListIssueAssigneesRpc, RemoveIssueAssigneesRpc } from '@plue/contracts';
import { insertRepository, insertUser } from '@plue/testing';
import { failureOf } from './failure-of';
import { useCollaborationService } from './service-under-test';

const collaboration = useCollaborationService();

async function issueAndUsers(userCount: number) {
  const { rpc, admin } = collaboration();
  const repository = await insertRepository(admin);
  const issue = await rpc.call(CreateIssueRpc, {
    repoId: repository.id as number,
    authorId: repository.user_id as number,
    title: 'who takes it',
  });
  const userIds: number[] = [];
  for (let i = 0; i < userCount; i += 1) userIds.push((await insertUser(admin)).id as number);
  return { repoId: issue.repoId, issueNumber: issue.number, issueId: issue.id, actorId: issue.authorId, userIds };
}

it('assigns, lists and unassigns users, each change on the timeline', async () => {
  const { rpc, admin } = collaboration();
  const { repoId, issueNumber, issueId, actorId, userIds } = await issueAndUsers(3);
  const [ada, bob, cyd] = userIds;

  const first = await rpc.call(AddIssueAssigneesRpc, { repoId, issueNumber, userIds: [ada, bob], actorId });
  expect(first.added.sort()).toEqual([ada, bob].sort());
  expect(first.assignees.map((assignee) => assignee.userId).sort()).toEqual([ada, bob].sort());
  expect(first.assignees[0].assignedAt).toEqual(expect.any(String));

  const again = await rpc.call(AddIssueAssigneesRpc, { repoId, issueNumber, userIds: [bob, cyd] });
  expect(again.added).toEqual([cyd]);
  expect((await rpc.call(ListIssueAssigneesRpc, { repoId, issueNumber })).items).toEqual(again.assignees);
  expect(again.assignees.map((assignee) => assignee.userId)).toContain(cyd);

  const removed = await rpc.call(RemoveIssueAssigneesRpc, { repoId, issueNumber, userIds: [ada, ada + 1_000_000] });
  expect(removed.removed).toEqual([ada]);
  expect(removed.assignees.map((assignee) => assignee.userId).sort()).toEqual([bob, cyd].sort());

  const { rows } = await admin.query(
    `SELECT event_type, actor_id::int, (payload->>'assigneeId')::int AS assignee_id FROM issue_events
      WHERE issue_id = $1 AND event_type IN ('assigned', 'unassigned') ORDER BY id`,
    [issueId],
  );
  expect(rows).toHaveLength(4);
  expect(rows.slice(0, 2).every((row) => row.actor_id === actorId)).toBe(true);
  expect(rows.slice(2)).toEqual([
    { event_type: 'assigned', actor_id: null, assignee_id: cyd },
    { event_type: 'unassigned', actor_id: null, assignee_id: ada },
  ]);
});

it('answers invalid assignee requests with validation_failed naming the field, and writes nothing', async () => {
  const { rpc, count } = collaboration();
  const { repoId, issueNumber, userIds } = await issueAndUsers(1);
  const before = [await count('issue_assignees'), await count('issue_events')];

  expect(await failureOf(rpc.callUnchecked(AddIssueAssigneesRpc, { repoId, issueNumber, userIds: [] }))).toMatchObject({
    code: 'validation_failed',
    details: { issues: [{ field: 'userIds', message: expect.any(String) }] },
  });
  expect(
    await failureOf(rpc.callUnchecked(AddIssueAssigneesRpc, { repoId, issueNumber, userIds: [userIds[0], -1] })),
  ).toMatchObject({
    code: 'validation_failed',
    details: { issues: [{ field: 'userIds.1', message: expect.any(String) }] },
  });
  expect(
    await failureOf(rpc.callUnchecked(AddIssueAssigneesRpc, { repoId, issueNumber, userIds, actorId: 'me' })),
  ).toMatchObject({
    code: 'validation_failed',
    details: { issues: [{ field: 'actorId', message: expect.any(String) }] },
  });

  expect([await count('issue_assignees'), await count('issue_events')]).toEqual(before);
});

it('refuses an 11th assignee, an unknown user or issue, and writes nothing', async () => {
  const { rpc, count } = collaboration();
  const { repoId, issueNumber, userIds } = await issueAndUsers(11);
  const other = await issueAndUsers(0);
  await rpc.call(AddIssueAssigneesRpc, { repoId, issueNumber, userIds: userIds.slice(0, 10) });
  const before = [await count('issue_assignees'), await count('issue_events')];

  expect(
    await failureOf(rpc.call(AddIssueAssigneesRpc, { repoId, issueNumber, userIds: [userIds[10]] })),
  ).toMatchObject({ code: 'conflict', details: { field: 'userIds' } });
  expect(
    await failureOf(
      rpc.call(RemoveIssueAssigneesRpc, { repoId, issueNumber, userIds: [userIds[0]], actorId: 987_654_321 }),
    ),
  ).toMatchObject({ code: 'missing_reference', details: { constraint: 'issue_events_actor_id_fkey' } });
  expect(
    await failureOf(
      rpc.call(AddIssueAssigneesRpc, { repoId: other.repoId, issueNumber: other.issueNumber, userIds: [987_654_321] }),
    ),
  ).toMatchObject({ code: 'missing_reference', details: { constraint: 'issue_assignees_user_id_fkey' } });
  expect(await failureOf(rpc.call(ListIssueAssigneesRpc, { repoId, issueNumber: issueNumber + 1 }))).toMatchObject({
    code: 'not_found',
    details: { field: 'issueNumber' },
  });

  expect([await count('issue_assignees'), await count('issue_events')]).toEqual(before);
});
