import {
  AddIssueLabelsRpc,
  CreateIssueRpc,
  CreateLabelRpc,
  DeleteLabelRpc,
  GetLabelRpc,
  ListIssueLabelsRpc,
  ListLabelsRpc,
  RemoveIssueLabelsRpc,
  SetIssueLabelsRpc,
  UpdateLabelRpc,
} from '@plue/contracts';
import { insertRepository } from '@plue/testing';
import { failureOf } from './failure-of';
import { useCollaborationService } from './service-under-test';

const collaboration = useCollaborationService();

async function repositoryWithIssue(): Promise<{
  repoId: number;
  ownerId: number;
  issueNumber: number;
  issueId: number;
}> {
  const { rpc, admin } = collaboration();
  const repository = await insertRepository(admin);
  const issue = await rpc.call(CreateIssueRpc, {
    repoId: repository.id as number,
    authorId: repository.user_id as number,
    title: 'labelled',
  });
  return { repoId: issue.repoId, ownerId: issue.authorId, issueNumber: issue.number, issueId: issue.id };
}

it('creates, gets, lists, updates and deletes a repository’s labels', async () => {
  const { rpc, admin } = collaboration();
  const { repoId } = await repositoryWithIssue();

  const bug = await rpc.call(CreateLabelRpc, { repoId, name: 'bug', color: '#d73a4a', description: 'Broken' });
  const docs = await rpc.call(CreateLabelRpc, { repoId, name: 'Docs', color: '#0075ca' });
  expect(bug).toEqual({
    id: expect.any(Number),
    repoId,
    name: 'bug',
    color: '#d73a4a',
    description: 'Broken',
    exclusive: false,
    createdAt: expect.any(String),
    updatedAt: expect.any(String),
  });
  expect(docs).toMatchObject({ description: null, exclusive: false });

  expect(await rpc.call(GetLabelRpc, { repoId, labelId: bug.id })).toEqual(bug);
  expect((await rpc.call(ListLabelsRpc, { repoId })).items.map((label) => label.name)).toEqual(['bug', 'Docs']);

  const renamed = await rpc.call(UpdateLabelRpc, {
    repoId,
    labelId: bug.id,
    name: 'defect',
    description: null,
    exclusive: true,
  });
  expect(renamed).toMatchObject({ id: bug.id, name: 'defect', color: '#d73a4a', description: null, exclusive: true });
  const { rows } = await admin.query('SELECT name, description, exclusive FROM labels WHERE id = $1', [bug.id]);
  expect(rows).toEqual([{ name: 'defect', description: null, exclusive: true }]);

  expect(await rpc.call(DeleteLabelRpc, { repoId, labelId: bug.id })).toEqual({ deleted: true, labelId: bug.id });
  expect(await failureOf(rpc.call(GetLabelRpc, { repoId, labelId: bug.id }))).toMatchObject({
    code: 'not_found',
    details: { field: 'labelId' },
  });
  expect((await rpc.call(ListLabelsRpc, { repoId })).items.map((label) => label.id)).toEqual([docs.id]);
});

it('adds, removes, sets and lists an issue’s labels, an exclusive label displacing its scope, on the timeline', async () => {
  const { rpc, admin } = collaboration();
  const { repoId, ownerId, issueNumber, issueId } = await repositoryWithIssue();
  const label = (name: string, exclusive = false) =>
    rpc.call(CreateLabelRpc, { repoId, name, color: '#ededed', exclusive });
  const bug = await label('bug');
  const high = await label('priority/high', true);
  const low = await label('priority/low', true);
  const docs = await label('docs');

  const added = await rpc.call(AddIssueLabelsRpc, {
    repoId,
    issueNumber,
    labelIds: [bug.id, high.id],
    actorId: ownerId,
  });
  expect(added.added.sort()).toEqual([bug.id, high.id].sort());
  expect(added.removed).toEqual([]);
  expect(added.labels.map((l) => l.name)).toEqual(['bug', 'priority/high']);

  const displaced = await rpc.call(AddIssueLabelsRpc, { repoId, issueNumber, labelIds: [low.id] });
  expect(displaced).toMatchObject({ added: [low.id], removed: [high.id] });
  expect(displaced.labels.map((l) => l.name)).toEqual(['bug', 'priority/low']);

  const removed = await rpc.call(RemoveIssueLabelsRpc, { repoId, issueNumber, labelIds: [bug.id, docs.id] });
  expect(removed).toMatchObject({ added: [], removed: [bug.id] });

  const set = await rpc.call(SetIssueLabelsRpc, { repoId, issueNumber, labelIds: [docs.id] });
  expect(set).toMatchObject({ added: [docs.id], removed: [low.id] });
  expect((await rpc.call(ListIssueLabelsRpc, { repoId, issueNumber })).items).toEqual(set.labels);
  expect((await rpc.call(SetIssueLabelsRpc, { repoId, issueNumber, labelIds: [] })).labels).toEqual([]);

  const { rows } = await admin.query(
    `SELECT event_type, actor_id::int, (payload->>'labelId')::int AS label_id FROM issue_events
      WHERE issue_id = $1 AND event_type IN ('labeled', 'unlabeled') ORDER BY id`,
    [issueId],
  );
  expect(rows.slice(0, 2).map((row) => [row.event_type, row.actor_id])).toEqual([
    ['labeled', ownerId],
    ['labeled', ownerId],
  ]);
  expect(rows.slice(2).map((row) => [row.event_type, row.label_id])).toEqual([
    ['unlabeled', high.id],
    ['labeled', low.id],
    ['unlabeled', bug.id],
    ['unlabeled', low.id],
    ['labeled', docs.id],
    ['unlabeled', docs.id],
  ]);
});

it('answers invalid label requests with validation_failed naming the field, and writes nothing', async () => {
  const { rpc, count } = collaboration();
  const { repoId, issueNumber } = await repositoryWithIssue();
  const bug = await rpc.call(CreateLabelRpc, { repoId, name: 'bug', color: '#d73a4a' });
  const before = [await count('labels'), await count('issue_labels'), await count('issue_events')];

  expect(await failureOf(rpc.callUnchecked(CreateLabelRpc, { repoId, name: 'red', color: 'red' }))).toMatchObject({
    code: 'validation_failed',
    details: { issues: [{ field: 'color', message: 'must be a #rrggbb color' }] },
  });
  expect(await failureOf(rpc.callUnchecked(CreateLabelRpc, { repoId, name: '   ', color: '#ffffff' }))).toMatchObject({
    code: 'validation_failed',
    details: { issues: [{ field: 'name', message: 'must not be blank' }] },
  });
  expect(
    await failureOf(rpc.callUnchecked(UpdateLabelRpc, { repoId, labelId: bug.id, color: '#fff', colour: '#ffffff' })),
  ).toMatchObject({
    code: 'validation_failed',
    details: {
      issues: expect.arrayContaining([
        { field: 'color', message: expect.any(String) },
        { field: '(input)', message: expect.stringContaining('colour') },
      ]),
    },
  });
  expect(
    await failureOf(rpc.callUnchecked(AddIssueLabelsRpc, { repoId, issueNumber, labelIds: [bug.id, 'docs'] })),
  ).toMatchObject({
    code: 'validation_failed',
    details: { issues: [{ field: 'labelIds.1', message: expect.any(String) }] },
  });
  expect(await failureOf(rpc.callUnchecked(AddIssueLabelsRpc, { repoId, issueNumber, labelIds: [] }))).toMatchObject({
    code: 'validation_failed',
    details: { issues: [{ field: 'labelIds', message: expect.any(String) }] },
  });

  expect([await count('labels'), await count('issue_labels'), await count('issue_events')]).toEqual(before);
});

it('refuses labels of another repository, duplicate names and clashing exclusive labels, and writes nothing', async () => {
  const { rpc, count } = collaboration();
  const mine = await repositoryWithIssue();
  const theirs = await repositoryWithIssue();
  const bug = await rpc.call(CreateLabelRpc, { repoId: mine.repoId, name: 'bug', color: '#d73a4a' });
  const foreign = await rpc.call(CreateLabelRpc, { repoId: theirs.repoId, name: 'foreign', color: '#d73a4a' });
  const high = await rpc.call(CreateLabelRpc, {
    repoId: mine.repoId,
    name: 'size/l',
    color: '#000000',
    exclusive: true,
  });
  const low = await rpc.call(CreateLabelRpc, {
    repoId: mine.repoId,
    name: 'size/s',
    color: '#000000',
    exclusive: true,
  });
  const before = [await count('labels'), await count('issue_labels'), await count('issue_events')];

  expect(
    await failureOf(rpc.call(CreateLabelRpc, { repoId: mine.repoId, name: 'BUG', color: '#000000' })),
  ).toMatchObject({
    code: 'conflict',
    details: { constraint: 'labels_repo_id_lower_name_key' },
  });
  expect(
    await failureOf(rpc.call(UpdateLabelRpc, { repoId: mine.repoId, labelId: high.id, name: 'Bug' })),
  ).toMatchObject({
    code: 'conflict',
  });
  for (const call of [
    rpc.call(GetLabelRpc, { repoId: mine.repoId, labelId: foreign.id }),
    rpc.call(UpdateLabelRpc, { repoId: mine.repoId, labelId: foreign.id, name: 'stolen' }),
    rpc.call(DeleteLabelRpc, { repoId: mine.repoId, labelId: foreign.id }),
  ]) {
    expect(await failureOf(call)).toMatchObject({ code: 'not_found', details: { field: 'labelId' } });
  }
  expect(
    await failureOf(rpc.call(AddIssueLabelsRpc, { repoId: mine.repoId, issueNumber: 99, labelIds: [bug.id] })),
  ).toMatchObject({ code: 'not_found', details: { field: 'issueNumber' } });
  expect(
    await failureOf(
      rpc.call(AddIssueLabelsRpc, {
        repoId: mine.repoId,
        issueNumber: mine.issueNumber,
        labelIds: [bug.id, foreign.id],
      }),
    ),
  ).toMatchObject({ code: 'missing_reference', details: { field: 'labelIds' } });
  expect(
    await failureOf(
      rpc.call(SetIssueLabelsRpc, { repoId: mine.repoId, issueNumber: mine.issueNumber, labelIds: [high.id, low.id] }),
    ),
  ).toMatchObject({ code: 'conflict', details: { field: 'labelIds' } });
  expect(
    await failureOf(
      rpc.call(AddIssueLabelsRpc, {
        repoId: mine.repoId,
        issueNumber: mine.issueNumber,
        labelIds: [bug.id],
        actorId: 987_654_321,
      }),
    ),
  ).toMatchObject({ code: 'missing_reference', details: { constraint: 'issue_events_actor_id_fkey' } });

  expect([await count('labels'), await count('issue_labels'), await count('issue_events')]).toEqual(before);
  expect((await rpc.call(GetLabelRpc, { repoId: theirs.repoId, labelId: foreign.id })).name).toBe('foreign');
});
