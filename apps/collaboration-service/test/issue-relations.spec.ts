import {
  AddIssueDependencyRpc,
  AddIssueLabelsRpc,
  CreateIssueRpc,
  CreateLabelRpc,
  ListIssueBlockersRpc,
  ListIssueEventsRpc,
  ListIssuesBlockedRpc,
  ListPinnedIssuesRpc,
  PinIssueRpc,
  RemoveIssueDependencyRpc,
  ReorderPinnedIssuesRpc,
  UnpinIssueRpc,
  UpdateIssueRpc,
} from '@plue/contracts';
import { insertRepository } from '@plue/testing';
import { failureOf } from './failure-of';
import { useCollaborationService } from './service-under-test';

const collaboration = useCollaborationService();

/** A repository with `count` issues, numbered 1..count. */
async function repositoryWithIssues(count: number) {
  const { rpc, admin } = collaboration();
  const repository = await insertRepository(admin);
  const repoId = repository.id as number;
  const ownerId = repository.user_id as number;
  const issues = [];
  for (let n = 1; n <= count; n += 1)
    issues.push(await rpc.call(CreateIssueRpc, { repoId, authorId: ownerId, title: `#${n}` }));
  return { repoId, ownerId, issues };
}

describe('issue dependencies', () => {
  it('adds (idempotently, across repositories), lists both ways and removes dependencies, on the timeline', async () => {
    const { rpc, admin } = collaboration();
    const { repoId, ownerId, issues } = await repositoryWithIssues(2);
    const other = await repositoryWithIssues(1);

    const onTwo = await rpc.call(AddIssueDependencyRpc, {
      repoId,
      issueNumber: 1,
      dependsOnNumber: 2,
      actorId: ownerId,
    });
    expect(onTwo).toEqual({
      id: expect.any(Number),
      repoId,
      issueNumber: 1,
      dependsOnRepoId: repoId,
      dependsOnNumber: 2,
      createdAt: expect.any(String),
    });
    expect(await rpc.call(AddIssueDependencyRpc, { repoId, issueNumber: 1, dependsOnNumber: 2 })).toEqual(onTwo);
    const acrossRepositories = await rpc.call(AddIssueDependencyRpc, {
      repoId,
      issueNumber: 1,
      dependsOnRepoId: other.repoId,
      dependsOnNumber: 1,
    });
    expect(acrossRepositories).toMatchObject({ dependsOnRepoId: other.repoId, dependsOnNumber: 1 });

    const blockers = await rpc.call(ListIssueBlockersRpc, { repoId, issueNumber: 1 });
    expect(blockers.items.map((issue) => [issue.repoId, issue.number])).toEqual([
      [repoId, 2],
      [other.repoId, 1],
    ]);
    expect((await rpc.call(ListIssuesBlockedRpc, { repoId, issueNumber: 2 })).items).toEqual([issues[0]]);
    expect((await rpc.call(ListIssuesBlockedRpc, { repoId, issueNumber: 1 })).items).toEqual([]);

    expect(await rpc.call(RemoveIssueDependencyRpc, { repoId, issueNumber: 1, dependsOnNumber: 2 })).toEqual({
      removed: true,
    });
    expect(await rpc.call(RemoveIssueDependencyRpc, { repoId, issueNumber: 1, dependsOnNumber: 2 })).toEqual({
      removed: false,
    });
    expect((await rpc.call(ListIssueBlockersRpc, { repoId, issueNumber: 1 })).items.map((i) => i.id)).toEqual([
      other.issues[0].id,
    ]);
    const { rows } = await admin.query(
      `SELECT event_type, actor_id::int FROM issue_events
        WHERE issue_id = $1 AND event_type LIKE 'dependency%' ORDER BY id`,
      [issues[0].id],
    );
    expect(rows).toEqual([
      { event_type: 'dependency_added', actor_id: ownerId },
      { event_type: 'dependency_added', actor_id: null },
      { event_type: 'dependency_removed', actor_id: null },
    ]);
  });

  it('answers invalid dependency requests with validation_failed naming the field, and writes nothing', async () => {
    const { rpc, count } = collaboration();
    const { repoId } = await repositoryWithIssues(2);
    const before = [await count('issue_dependencies'), await count('issue_events')];

    for (const request of [
      { repoId, issueNumber: 1, dependsOnNumber: 1 },
      { repoId, issueNumber: 1, dependsOnRepoId: repoId, dependsOnNumber: 1 },
    ]) {
      expect(await failureOf(rpc.callUnchecked(AddIssueDependencyRpc, request))).toMatchObject({
        code: 'validation_failed',
        details: { issues: [{ field: 'dependsOnNumber', message: 'an issue cannot depend on itself' }] },
      });
    }
    expect(
      await failureOf(rpc.callUnchecked(AddIssueDependencyRpc, { repoId, issueNumber: 1, dependsOnNumber: '#2' })),
    ).toMatchObject({
      code: 'validation_failed',
      details: { issues: [{ field: 'dependsOnNumber', message: expect.any(String) }] },
    });

    expect([await count('issue_dependencies'), await count('issue_events')]).toEqual(before);
  });

  it('refuses a cycle of any length and an unknown issue, and writes nothing', async () => {
    const { rpc, count } = collaboration();
    const { repoId } = await repositoryWithIssues(3);
    await rpc.call(AddIssueDependencyRpc, { repoId, issueNumber: 1, dependsOnNumber: 2 });
    await rpc.call(AddIssueDependencyRpc, { repoId, issueNumber: 2, dependsOnNumber: 3 });
    const before = [await count('issue_dependencies'), await count('issue_events')];

    expect(
      await failureOf(rpc.call(AddIssueDependencyRpc, { repoId, issueNumber: 3, dependsOnNumber: 1 })),
    ).toMatchObject({
      code: 'conflict',
      details: { field: 'dependsOnNumber', constraint: 'issue_dependencies_no_cycle_check' },
    });
    expect(
      await failureOf(rpc.call(AddIssueDependencyRpc, { repoId, issueNumber: 1, dependsOnNumber: 99 })),
    ).toMatchObject({ code: 'not_found', details: { field: 'dependsOnNumber' } });
    expect(await failureOf(rpc.call(ListIssueBlockersRpc, { repoId, issueNumber: 99 }))).toMatchObject({
      code: 'not_found',
      details: { field: 'issueNumber' },
    });

    expect([await count('issue_dependencies'), await count('issue_events')]).toEqual(before);
  });
});

describe('issue timeline', () => {
  it('lists an issue’s events in order, paged by afterId', async () => {
    const { rpc } = collaboration();
    const { repoId, ownerId, issues } = await repositoryWithIssues(1);
    const label = await rpc.call(CreateLabelRpc, { repoId, name: 'bug', color: '#d73a4a' });
    await rpc.call(AddIssueLabelsRpc, { repoId, issueNumber: 1, labelIds: [label.id], actorId: ownerId });
    await rpc.call(UpdateIssueRpc, { repoId, number: 1, title: 'renamed', state: 'closed', actorId: ownerId });

    const all = await rpc.call(ListIssueEventsRpc, { repoId, issueNumber: 1 });
    expect(all.items.map((event) => event.eventType)).toEqual(['opened', 'labeled', 'renamed', 'closed']);
    expect(all.items[1]).toEqual({
      id: expect.any(Number),
      issueId: issues[0].id,
      actorId: ownerId,
      eventType: 'labeled',
      payload: { labelId: label.id },
      createdAt: expect.any(String),
    });
    expect(all.nextAfterId).toBeNull();

    const first = await rpc.call(ListIssueEventsRpc, { repoId, issueNumber: 1, limit: 3 });
    expect(first.items).toEqual(all.items.slice(0, 3));
    expect(first.nextAfterId).toBe(all.items[2].id);
    const rest = await rpc.call(ListIssueEventsRpc, { repoId, issueNumber: 1, limit: 3, afterId: first.nextAfterId! });
    expect(rest).toEqual({ items: all.items.slice(3), nextAfterId: null });
  });

  it('refuses a bad page size and an unknown issue', async () => {
    const { rpc } = collaboration();
    const { repoId } = await repositoryWithIssues(1);

    expect(await failureOf(rpc.callUnchecked(ListIssueEventsRpc, { repoId, issueNumber: 1, limit: 0 }))).toMatchObject({
      code: 'validation_failed',
      details: { issues: [{ field: 'limit', message: expect.any(String) }] },
    });
    expect(await failureOf(rpc.call(ListIssueEventsRpc, { repoId, issueNumber: 2 }))).toMatchObject({
      code: 'not_found',
      details: { field: 'issueNumber' },
    });
  });
});

describe('pinned issues', () => {
  it('pins up to three issues, reorders them, and unpinning renumbers the rest, on the timeline', async () => {
    const { rpc, admin } = collaboration();
    const { repoId, ownerId, issues } = await repositoryWithIssues(3);
    const numbersOf = (items: { pinOrder: number; issue: { number: number } }[]) =>
      items.map((pin) => [pin.pinOrder, pin.issue.number]);

    const first = await rpc.call(PinIssueRpc, { repoId, issueNumber: 1, actorId: ownerId });
    expect(first).toEqual({ pinOrder: 1, pinnedAt: expect.any(String), issue: issues[0] });
    await rpc.call(PinIssueRpc, { repoId, issueNumber: 2 });
    await rpc.call(PinIssueRpc, { repoId, issueNumber: 3 });
    expect(await rpc.call(PinIssueRpc, { repoId, issueNumber: 1 })).toEqual(first);
    expect(numbersOf((await rpc.call(ListPinnedIssuesRpc, { repoId })).items)).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);

    const reordered = await rpc.call(ReorderPinnedIssuesRpc, { repoId, issueNumbers: [3, 1, 2] });
    expect(numbersOf(reordered.items)).toEqual([
      [1, 3],
      [2, 1],
      [3, 2],
    ]);
    expect((await rpc.call(ListPinnedIssuesRpc, { repoId })).items).toEqual(reordered.items);

    const unpinned = await rpc.call(UnpinIssueRpc, { repoId, issueNumber: 3, actorId: ownerId });
    expect(unpinned.unpinned).toBe(true);
    expect(numbersOf(unpinned.items)).toEqual([
      [1, 1],
      [2, 2],
    ]);
    expect((await rpc.call(UnpinIssueRpc, { repoId, issueNumber: 3 })).unpinned).toBe(false);
    await rpc.call(PinIssueRpc, { repoId, issueNumber: 3 });
    expect(numbersOf((await rpc.call(ListPinnedIssuesRpc, { repoId })).items)).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);

    const { rows } = await admin.query(
      `SELECT event_type, actor_id::int FROM issue_events WHERE issue_id = $1 AND event_type LIKE '%pinned' ORDER BY id`,
      [issues[2].id],
    );
    expect(rows).toEqual([
      { event_type: 'pinned', actor_id: null },
      { event_type: 'unpinned', actor_id: ownerId },
      { event_type: 'pinned', actor_id: null },
    ]);
  });

  it('refuses a fourth pin and a reorder that is not exactly the pins, and writes nothing', async () => {
    const { rpc, admin, count } = collaboration();
    const { repoId } = await repositoryWithIssues(4);
    for (const issueNumber of [1, 2, 3]) await rpc.call(PinIssueRpc, { repoId, issueNumber });
    const before = [await count('pinned_issues'), await count('issue_events')];

    expect(await failureOf(rpc.call(PinIssueRpc, { repoId, issueNumber: 4 }))).toMatchObject({
      code: 'conflict',
      details: { field: 'issueNumber', constraint: 'pinned_issues_pin_order_check' },
    });
    expect(
      await failureOf(rpc.callUnchecked(ReorderPinnedIssuesRpc, { repoId, issueNumbers: [1, 1, 2] })),
    ).toMatchObject({
      code: 'validation_failed',
      details: { issues: [{ field: 'issueNumbers', message: 'must not repeat an issue' }] },
    });
    expect(await failureOf(rpc.call(ReorderPinnedIssuesRpc, { repoId, issueNumbers: [4, 1, 2] }))).toMatchObject({
      code: 'validation_failed',
      details: { issues: [{ field: 'issueNumbers', message: expect.stringContaining('pinned issues') }] },
    });
    expect(await failureOf(rpc.call(ReorderPinnedIssuesRpc, { repoId, issueNumbers: [1, 9, 2] }))).toMatchObject({
      code: 'not_found',
      details: { field: 'issueNumbers.1' },
    });
    expect(await failureOf(rpc.call(UnpinIssueRpc, { repoId, issueNumber: 9 }))).toMatchObject({
      code: 'not_found',
      details: { field: 'issueNumber' },
    });

    expect([await count('pinned_issues'), await count('issue_events')]).toEqual(before);
    const { rows } = await admin.query(
      `SELECT i.issue_number::int FROM pinned_issues p JOIN issues i ON i.id = p.issue_id
        WHERE p.repo_id = $1 ORDER BY p.pin_order`,
      [repoId],
    );
    expect(rows.map((row) => row.issue_number)).toEqual([1, 2, 3]);
  });
});
