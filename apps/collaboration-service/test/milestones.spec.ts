import {
  CloseMilestoneRpc,
  CreateIssueRpc,
  CreateMilestoneRpc,
  DeleteMilestoneRpc,
  GetIssueRpc,
  GetMilestoneRpc,
  ListMilestonesRpc,
  MilestoneProgressRpc,
  ReopenMilestoneRpc,
  UpdateIssueRpc,
  UpdateMilestoneRpc,
} from '@plue/contracts';
import { insertRepository } from '@plue/testing';
import { failureOf } from './failure-of';
import { useCollaborationService } from './service-under-test';

const collaboration = useCollaborationService();

async function repository(): Promise<{ repoId: number; ownerId: number }> {
  const row = await insertRepository(collaboration().admin);
  return { repoId: row.id as number, ownerId: row.user_id as number };
}

it('creates, gets, lists, updates, closes and reopens milestones', async () => {
  const { rpc, admin } = collaboration();
  const { repoId } = await repository();

  const later = await rpc.call(CreateMilestoneRpc, { repoId, title: 'v2', dueDate: '2027-06-30' });
  const sooner = await rpc.call(CreateMilestoneRpc, {
    repoId,
    title: 'v1',
    description: 'first release',
    dueDate: '2027-01-15',
  });
  const undated = await rpc.call(CreateMilestoneRpc, { repoId, title: 'Backlog' });
  expect(sooner).toEqual({
    id: expect.any(Number),
    repoId,
    title: 'v1',
    description: 'first release',
    state: 'open',
    dueDate: '2027-01-15',
    closedAt: null,
    createdAt: expect.any(String),
    updatedAt: expect.any(String),
  });
  expect(await rpc.call(GetMilestoneRpc, { repoId, milestoneId: sooner.id })).toEqual(sooner);
  expect((await rpc.call(ListMilestonesRpc, { repoId })).items.map((milestone) => milestone.title)).toEqual([
    'v1',
    'v2',
    'Backlog',
  ]);

  const updated = await rpc.call(UpdateMilestoneRpc, {
    repoId,
    milestoneId: later.id,
    title: 'v2.0',
    dueDate: null,
    description: 'second',
  });
  expect(updated).toMatchObject({ id: later.id, title: 'v2.0', dueDate: null, description: 'second' });
  const { rows } = await admin.query('SELECT title, due_date FROM milestones WHERE id = $1', [later.id]);
  expect(rows).toEqual([{ title: 'v2.0', due_date: null }]);

  const closed = await rpc.call(CloseMilestoneRpc, { repoId, milestoneId: undated.id });
  expect(closed).toMatchObject({ state: 'closed', closedAt: expect.any(String) });
  expect((await rpc.call(CloseMilestoneRpc, { repoId, milestoneId: undated.id })).closedAt).toBe(closed.closedAt);
  expect((await rpc.call(ListMilestonesRpc, { repoId, state: 'closed' })).items.map((m) => m.id)).toEqual([undated.id]);
  expect((await rpc.call(ListMilestonesRpc, { repoId, state: 'all' })).items).toHaveLength(3);
  expect(await rpc.call(ReopenMilestoneRpc, { repoId, milestoneId: undated.id })).toMatchObject({
    state: 'open',
    closedAt: null,
  });
});

it('counts a milestone’s open and closed issues, and deleting it leaves the issues without one', async () => {
  const { rpc, admin } = collaboration();
  const { repoId, ownerId } = await repository();
  const milestone = await rpc.call(CreateMilestoneRpc, { repoId, title: 'Sprint 1' });
  const open = (title: string) =>
    rpc.call(CreateIssueRpc, { repoId, authorId: ownerId, title, milestoneId: milestone.id });
  await open('one');
  const two = await open('two');
  await open('three');
  await rpc.call(CreateIssueRpc, { repoId, authorId: ownerId, title: 'elsewhere' });
  await rpc.call(UpdateIssueRpc, { repoId, number: two.number, state: 'closed' });

  expect(await rpc.call(MilestoneProgressRpc, { repoId, milestoneId: milestone.id })).toEqual({
    milestoneId: milestone.id,
    open: 2,
    closed: 1,
  });

  expect(await rpc.call(DeleteMilestoneRpc, { repoId, milestoneId: milestone.id })).toEqual({
    deleted: true,
    milestoneId: milestone.id,
  });
  expect(await rpc.call(GetIssueRpc, { repoId, number: two.number })).toMatchObject({ milestoneId: null });
  const { rows } = await admin.query('SELECT count(*)::int AS n FROM issues WHERE repo_id = $1', [repoId]);
  expect(rows[0].n).toBe(4);
  expect(await failureOf(rpc.call(MilestoneProgressRpc, { repoId, milestoneId: milestone.id }))).toMatchObject({
    code: 'not_found',
    details: { field: 'milestoneId' },
  });
});

it('puts an issue in a milestone and takes it out through issue.update, on the timeline', async () => {
  const { rpc, admin, count } = collaboration();
  const { repoId, ownerId } = await repository();
  const other = await repository();
  const milestone = await rpc.call(CreateMilestoneRpc, { repoId, title: 'Next' });
  const foreign = await rpc.call(CreateMilestoneRpc, { repoId: other.repoId, title: 'Elsewhere' });
  const issue = await rpc.call(CreateIssueRpc, { repoId, authorId: ownerId, title: 'to plan' });

  const planned = await rpc.call(UpdateIssueRpc, {
    repoId,
    number: issue.number,
    milestoneId: milestone.id,
    isLocked: true,
    actorId: ownerId,
  });
  expect(planned).toMatchObject({ milestoneId: milestone.id, isLocked: true });
  expect(await rpc.call(MilestoneProgressRpc, { repoId, milestoneId: milestone.id })).toMatchObject({ open: 1 });

  const eventsBefore = await count('issue_events');
  expect(
    await failureOf(rpc.call(UpdateIssueRpc, { repoId, number: issue.number, milestoneId: foreign.id })),
  ).toMatchObject({ code: 'missing_reference', details: { constraint: expect.stringContaining('milestone') } });
  expect(await count('issue_events')).toBe(eventsBefore);

  expect(await rpc.call(UpdateIssueRpc, { repoId, number: issue.number, milestoneId: null })).toMatchObject({
    milestoneId: null,
  });
  const { rows } = await admin.query(
    `SELECT event_type, (payload->>'milestoneId')::int AS milestone_id FROM issue_events
      WHERE issue_id = $1 AND event_type IN ('milestoned', 'demilestoned', 'locked') ORDER BY id`,
    [issue.id],
  );
  expect(rows).toEqual([
    { event_type: 'milestoned', milestone_id: milestone.id },
    { event_type: 'locked', milestone_id: null },
    { event_type: 'demilestoned', milestone_id: milestone.id },
  ]);
});

it('answers invalid milestone requests with validation_failed naming the field, and writes nothing', async () => {
  const { rpc, admin, count } = collaboration();
  const { repoId } = await repository();
  const milestone = await rpc.call(CreateMilestoneRpc, { repoId, title: 'kept' });
  const before = await count('milestones');

  expect(
    await failureOf(rpc.callUnchecked(CreateMilestoneRpc, { repoId, title: 'late', dueDate: '2027-02-30' })),
  ).toMatchObject({
    code: 'validation_failed',
    details: { issues: [{ field: 'dueDate', message: expect.any(String) }] },
  });
  expect(await failureOf(rpc.callUnchecked(CreateMilestoneRpc, { repoId, title: '' }))).toMatchObject({
    code: 'validation_failed',
    details: { issues: [{ field: 'title', message: expect.any(String) }] },
  });
  expect(
    await failureOf(rpc.callUnchecked(UpdateMilestoneRpc, { repoId, milestoneId: milestone.id, state: 'closed' })),
  ).toMatchObject({
    code: 'validation_failed',
    details: { issues: [{ field: '(input)', message: expect.stringContaining('state') }] },
  });
  expect(await failureOf(rpc.callUnchecked(ListMilestonesRpc, { repoId, state: 'done' }))).toMatchObject({
    code: 'validation_failed',
    details: { issues: [{ field: 'state', message: expect.any(String) }] },
  });

  expect(await count('milestones')).toBe(before);
  const { rows } = await admin.query('SELECT title, state FROM milestones WHERE id = $1', [milestone.id]);
  expect(rows).toEqual([{ title: 'kept', state: 'open' }]);
});

it('refuses a duplicate title and another repository’s milestone, and writes nothing', async () => {
  const { rpc, count } = collaboration();
  const mine = await repository();
  const theirs = await repository();
  await rpc.call(CreateMilestoneRpc, { repoId: mine.repoId, title: 'Launch' });
  const foreign = await rpc.call(CreateMilestoneRpc, { repoId: theirs.repoId, title: 'Theirs' });
  const before = await count('milestones');

  expect(await failureOf(rpc.call(CreateMilestoneRpc, { repoId: mine.repoId, title: 'LAUNCH' }))).toMatchObject({
    code: 'conflict',
    details: { constraint: 'milestones_repo_id_lower_title_key' },
  });
  expect(await failureOf(rpc.call(CreateMilestoneRpc, { repoId: 987_654_321, title: 'orphan' }))).toMatchObject({
    code: 'missing_reference',
    details: { constraint: 'milestones_repo_id_fkey' },
  });
  const address = { repoId: mine.repoId, milestoneId: foreign.id };
  for (const call of [
    rpc.call(GetMilestoneRpc, address),
    rpc.call(UpdateMilestoneRpc, { ...address, title: 'stolen' }),
    rpc.call(CloseMilestoneRpc, address),
    rpc.call(ReopenMilestoneRpc, address),
    rpc.call(DeleteMilestoneRpc, address),
    rpc.call(MilestoneProgressRpc, address),
  ]) {
    expect(await failureOf(call)).toMatchObject({ code: 'not_found', details: { field: 'milestoneId' } });
  }

  expect(await count('milestones')).toBe(before);
  expect(await rpc.call(GetMilestoneRpc, { repoId: theirs.repoId, milestoneId: foreign.id })).toEqual(foreign);
});
