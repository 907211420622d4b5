import {
  AddCollaboratorRpc,
  CheckMergeRpc,
  DeleteProtectedBranchRpc,
  GetBranchRpc,
  ListProtectedBranchesRpc,
  PushBranchRpc,
  UpsertCommitStatusRpc,
  UpsertProtectedBranchRpc,
  type RpcRequestOf,
} from '@plue/contracts';
import { RpcCallError, RpcClient } from '@plue/service-kit';
import { insertRepository, insertUser } from '@plue/testing';
import type { Client } from 'pg';
import { useGitService } from './service-under-test';

// Branch protection over NATS: rules (upsert, list, delete), the branch query, and the merge check
// collaboration asks for (DESIGN §4 flow 4), against the built git-service.

const git = useGitService({ LOG_LEVEL: 'debug' });
let rpc: RpcClient;
let admin: Client;

beforeAll(() => {
  ({ rpc, admin } = git());
});

const HEAD = 'c'.repeat(40);

async function ruleCount(): Promise<number> {
  return (await admin.query('SELECT count(*)::int AS n FROM protected_branches')).rows[0].n;
}

async function repositoryId(): Promise<number> {
  return (await insertRepository(admin)).id as number;
}

function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (reply) => {
      throw new Error(`expected an error, got ${JSON.stringify(reply)}`);
    },
    (error: unknown) => error,
  );
}

/** A repository (public unless said otherwise) with its owner, who may merge. */
async function newRepository(isPublic = true): Promise<{ repoId: number; ownerId: number }> {
  const repository = await insertRepository(admin, { is_public: isPublic });
  return { repoId: repository.id as number, ownerId: repository.user_id as number };
}

/** A new user holding `permission` on the repository as a collaborator. */
async function collaborator(repoId: number, permission: 'read' | 'write' | 'admin'): Promise<number> {
  const userId = (await insertUser(admin)).id as number;
  await rpc.call(AddCollaboratorRpc, { repoId, userId, permission });
  return userId;
}

async function stranger(): Promise<number> {
  return (await insertUser(admin)).id as number;
}

/** Asks for a merge by the owner (unless `mergerId` says otherwise) with no reviews unless given. */
function check(
  repository: { repoId: number; ownerId: number },
  overrides: Partial<RpcRequestOf<typeof CheckMergeRpc>> = {},
) {
  return rpc.call(CheckMergeRpc, {
    repoId: repository.repoId,
    baseBranch: 'main',
    headCommitSha: HEAD,
    approverIds: [],
    mergerId: repository.ownerId,
    ...overrides,
  });
}

it('creates a rule, replaces it by name (fields left out return to their defaults), lists and deletes it', async () => {
  const repoId = await repositoryId();
  const created = await rpc.call(UpsertProtectedBranchRpc, {
    repoId,
    ruleName: 'main',
    requiredApprovals: 2,
    enableStatusCheck: true,
    statusCheckContexts: ['ci', 'lint'],
  });
  expect(created).toMatchObject({
    created: true,
    rule: {
      repoId,
      ruleName: 'main',
      requiredApprovals: 2,
      enableStatusCheck: true,
      statusCheckContexts: ['ci', 'lint'],
    },
  });

  const replaced = await rpc.call(UpsertProtectedBranchRpc, { repoId, ruleName: 'main', requiredApprovals: 1 });
  expect(replaced).toMatchObject({
    created: false,
    rule: { id: created.rule.id, requiredApprovals: 1, enableStatusCheck: false, statusCheckContexts: [] },
  });
  const { rows } = await admin.query(
    'SELECT required_approvals, enable_status_check, status_check_contexts FROM protected_branches WHERE repo_id = $1',
    [repoId],
  );
  expect(rows).toEqual([{ required_approvals: 1, enable_status_check: false, status_check_contexts: [] }]);

  await rpc.call(UpsertProtectedBranchRpc, { repoId, ruleName: 'release/*', priority: 5 });
  expect((await rpc.call(ListProtectedBranchesRpc, { repoId })).items.map((rule) => rule.ruleName)).toEqual([
    'release/*',
    'main',
  ]);

  expect(await rpc.call(DeleteProtectedBranchRpc, { repoId, ruleName: 'main' })).toEqual({
    deleted: true,
    ruleId: created.rule.id,
  });
  expect(await failureOf(rpc.call(DeleteProtectedBranchRpc, { repoId, ruleName: 'main' }))).toMatchObject({
    code: 'not_found',
    details: { field: 'ruleName' },
  });
  expect((await rpc.call(ListProtectedBranchesRpc, { repoId })).items).toHaveLength(1);
});

it('refuses invalid rules with the field named, and writes nothing', async () => {
  const repoId = await repositoryId();
  const before = await ruleCount();

  const badName = await failureOf(
    rpc.call(UpsertProtectedBranchRpc, { repoId, ruleName: 'release/../*', requiredApprovals: 1 }),
  );
  expect(badName).toBeInstanceOf(RpcCallError);
  expect(badName).toMatchObject({ code: 'validation_failed', details: { field: 'ruleName' } });

  const badFields = await failureOf(
    rpc.callUnchecked(UpsertProtectedBranchRpc, { repoId, ruleName: 'main', requiredApprovals: -1, protect: true }),
  );
  expect(badFields).toMatchObject({
    code: 'validation_failed',
    details: {
      issues: expect.arrayContaining([
        { field: 'requiredApprovals', message: expect.any(String) },
        { field: '(input)', message: expect.stringContaining('protect') },
      ]),
    },
  });

  const repeatedContext = await failureOf(
    rpc.call(UpsertProtectedBranchRpc, { repoId, ruleName: 'main', statusCheckContexts: ['ci', 'ci'] }),
  );
  expect(repeatedContext).toMatchObject({ code: 'validation_failed', details: { field: 'statusCheckContexts' } });

  expect(await failureOf(rpc.call(UpsertProtectedBranchRpc, { repoId: 987_654_321, ruleName: 'main' }))).toMatchObject({
    code: 'not_found',
    details: { field: 'repoId' },
  });
  expect(
    await failureOf(
      rpc.call(UpsertProtectedBranchRpc, {
        repoId,
        ruleName: 'main',
        enableMergeAllowlist: true,
        mergeAllowlistUserIds: [987_654_321],
      }),
    ),
  ).toMatchObject({ code: 'missing_reference', details: { field: 'mergeAllowlistUserIds' } });

  expect(await ruleCount()).toBe(before);
});

it('answers a branch with its head commit, and not_found for an unknown one', async () => {
  const repository = await insertRepository(admin);
  const repoId = repository.id as number;
  await rpc.call(PushBranchRpc, {
    repoId,
    branch: 'feature',
    headCommitSha: HEAD,
    pusherId: repository.user_id as number,
  });
  expect(await rpc.call(GetBranchRpc, { repoId, name: 'feature' })).toMatchObject({
    repoId,
    name: 'feature',
    commitId: HEAD,
  });
  expect(await failureOf(rpc.call(GetBranchRpc, { repoId, name: 'nothing' }))).toMatchObject({
    code: 'not_found',
    details: { field: 'name' },
  });
  expect(await failureOf(rpc.callUnchecked(GetBranchRpc, { repoId, name: '' }))).toMatchObject({
    code: 'validation_failed',
    details: { field: 'name' },
  });
});

it('allows every merge by a user with write access into a branch no rule protects', async () => {
  const repository = await newRepository();
  await rpc.call(UpsertProtectedBranchRpc, { repoId: repository.repoId, ruleName: 'release/*', requiredApprovals: 3 });
  expect(await check(repository)).toEqual({ allowed: true, rule: null, unmet: [] });
  const writer = await collaborator(repository.repoId, 'write');
  const administrator = await collaborator(repository.repoId, 'admin');
  expect(await check(repository, { mergerId: writer })).toEqual({ allowed: true, rule: null, unmet: [] });
  expect(await check(repository, { mergerId: administrator })).toEqual({ allowed: true, rule: null, unmet: [] });
});

it('refuses a merger without write access with merge_permission, with or without a rule', async () => {
  const publicRepository = await newRepository(true);
  const privateRepository = await newRepository(false);
  const reader = await collaborator(publicRepository.repoId, 'read');
  // Whoever may read a public repository, a private one's stranger, a reader collaborator: none may merge.
  for (const [repository, mergerId] of [
    [publicRepository, await stranger()],
    [privateRepository, await stranger()],
    [publicRepository, reader],
  ] as const) {
    expect(await check(repository, { mergerId })).toEqual({
      allowed: false,
      rule: null,
      unmet: [{ requirement: 'merge_permission', mergerId }],
    });
  }

  // With a rule that is otherwise met, the merger's permission is still required.
  await rpc.call(UpsertProtectedBranchRpc, { repoId: publicRepository.repoId, ruleName: 'main' });
  expect(await check(publicRepository, { mergerId: reader })).toMatchObject({
    allowed: false,
    rule: { ruleName: 'main' },
    unmet: [{ requirement: 'merge_permission', mergerId: reader }],
  });
  expect(await check(publicRepository)).toMatchObject({ allowed: true, rule: { ruleName: 'main' }, unmet: [] });
});

it('counts only approvals from users with write access: owner, write and admin collaborators', async () => {
  for (const isPublic of [false, true]) {
    const repository = await newRepository(isPublic);
    const { repoId } = repository;
    await rpc.call(UpsertProtectedBranchRpc, { repoId, ruleName: 'main', requiredApprovals: 2 });
    const [outsider, reader, writer, administrator] = [
      await stranger(),
      await collaborator(repoId, 'read'),
      await collaborator(repoId, 'write'),
      await collaborator(repoId, 'admin'),
    ];
    const merger = await collaborator(repoId, 'write');

    // A stranger (who may read a public repository) and a reader approve: neither counts.
    expect(await check(repository, { mergerId: merger, approverIds: [reader, outsider] })).toMatchObject({
      allowed: false,
      unmet: [
        {
          requirement: 'approvals',
          required: 2,
          actual: 0,
          ignoredApproverIds: [outsider, reader].sort((a, b) => a - b),
        },
      ],
    });
    expect(
      (await check(repository, { mergerId: merger, approverIds: [writer], staleApproverIds: [outsider] })).unmet,
    ).toEqual([{ requirement: 'approvals', required: 2, actual: 1, ignoredApproverIds: [outsider] }]);
    // A writer and an admin collaborator count; so does the owner.
    expect(await check(repository, { mergerId: merger, approverIds: [writer, administrator] })).toMatchObject({
      allowed: true,
      unmet: [],
    });
    expect(
      await check(repository, {
        mergerId: merger,
        approverIds: [outsider, repository.ownerId],
        staleApproverIds: [writer],
      }),
    ).toMatchObject({ allowed: true, unmet: [] });
  }
});

it('checks required approvals and status checks of the head commit', async () => {
  const repository = await newRepository();
  const { repoId } = repository;
  const [first, second] = [await collaborator(repoId, 'write'), await collaborator(repoId, 'write')];
  await rpc.call(UpsertProtectedBranchRpc, {
    repoId,
    ruleName: 'main',
    requiredApprovals: 2,
    enableStatusCheck: true,
    statusCheckContexts: ['ci', 'lint'],
  });
  await rpc.call(UpsertCommitStatusRpc, { repoId, commitSha: HEAD, context: 'ci', state: 'failure' });
  // A success on another commit does not count for the head.
  await rpc.call(UpsertCommitStatusRpc, { repoId, commitSha: 'd'.repeat(40), context: 'lint', state: 'success' });

  const refused = await check(repository, { approverIds: [first] });
  expect(refused).toMatchObject({ allowed: false, rule: { ruleName: 'main', requiredApprovals: 2 } });
  expect(refused.unmet).toEqual([
    { requirement: 'approvals', required: 2, actual: 1, ignoredApproverIds: [] },
    {
      requirement: 'status_checks',
      contexts: [
        { context: 'ci', state: 'failure' },
        { context: 'lint', state: 'missing' },
      ],
      noStatuses: false,
    },
  ]);

  await rpc.call(UpsertCommitStatusRpc, { repoId, commitSha: HEAD, context: 'ci', state: 'success' });
  await rpc.call(UpsertCommitStatusRpc, { repoId, commitSha: HEAD, context: 'lint', state: 'success' });
  expect(await check(repository, { approverIds: [first, second] })).toMatchObject({ allowed: true, unmet: [] });
});

it('counts stale approvals unless the rule dismisses them, and picks the best matching glob rule', async () => {
  const repository = await newRepository();
  const { repoId } = repository;
  const reviewer = await collaborator(repoId, 'write');
  await rpc.call(UpsertProtectedBranchRpc, { repoId, ruleName: 'release/*', requiredApprovals: 1 });
  await rpc.call(UpsertProtectedBranchRpc, {
    repoId,
    ruleName: 'release/**',
    priority: 9,
    requiredApprovals: 1,
    dismissStaleApprovals: true,
  });
  const onRelease = { baseBranch: 'release/v1', approverIds: [], staleApproverIds: [reviewer] };

  expect(await check(repository, onRelease)).toMatchObject({
    allowed: false,
    rule: { ruleName: 'release/**' },
    unmet: [{ requirement: 'approvals', required: 1, actual: 0, ignoredApproverIds: [] }],
  });
  await rpc.call(UpsertProtectedBranchRpc, { repoId, ruleName: 'release/**', priority: 9, requiredApprovals: 1 });
  expect(await check(repository, onRelease)).toMatchObject({ allowed: true, unmet: [] });
});

it("checks writers' change requests, the merge allowlist, an outdated head, statuses when none listed", async () => {
  const repository = await newRepository();
  const { repoId, ownerId } = repository;
  const merger = await collaborator(repoId, 'write');
  const rejecter = await collaborator(repoId, 'admin');
  const reader = await collaborator(repoId, 'read');
  const baseHead = 'e'.repeat(40);
  await rpc.call(PushBranchRpc, { repoId, branch: 'main', headCommitSha: baseHead, pusherId: ownerId });
  await rpc.call(UpsertProtectedBranchRpc, {
    repoId,
    ruleName: 'main',
    blockOnRejectedReviews: true,
    enableMergeAllowlist: true,
    mergeAllowlistUserIds: [merger],
    blockOnOutdatedBranch: true,
    enableStatusCheck: true,
  });

  expect((await check(repository, { rejecterIds: [reader, rejecter], mergeBaseSha: null })).unmet).toEqual([
    { requirement: 'merge_allowlist', mergerId: ownerId },
    { requirement: 'no_rejected_reviews', rejecterIds: [rejecter] },
    { requirement: 'status_checks', contexts: [], noStatuses: true },
    { requirement: 'up_to_date', baseCommitSha: baseHead },
  ]);

  // A change request from someone without write access (a reader, a stranger) does not block.
  await rpc.call(UpsertCommitStatusRpc, { repoId, commitSha: HEAD, context: 'build', state: 'success' });
  expect(
    await check(repository, { mergerId: merger, mergeBaseSha: baseHead, rejecterIds: [reader, await stranger()] }),
  ).toMatchObject({ allowed: true, unmet: [] });
});

it('answers not_found for a repository that does not exist', async () => {
  expect(await failureOf(check({ repoId: 987_654_321, ownerId: 1 }))).toMatchObject({
    code: 'not_found',
    details: { field: 'repoId' },
  });
});

it('refuses an invalid check naming the field', async () => {
  const failure = await failureOf(
    rpc.callUnchecked(CheckMergeRpc, { repoId: 1, baseBranch: 'main', headCommitSha: 'HEAD', approverIds: [-1] }),
  );
  expect(failure).toMatchObject({
    code: 'validation_failed',
    details: {
      issues: expect.arrayContaining([
        { field: 'headCommitSha', message: expect.any(String) },
        { field: 'approverIds.0', message: expect.any(String) },
        { field: 'mergerId', message: expect.any(String) },
      ]),
    },
  });
  // The old counting contract is gone: counts instead of reviewers are refused, not silently ignored.
  const repository = await newRepository();
  const valid = { repoId: repository.repoId, baseBranch: 'main', headCommitSha: HEAD, mergerId: repository.ownerId };
  expect(await failureOf(rpc.callUnchecked(CheckMergeRpc, { ...valid, approvals: 2 }))).toMatchObject({
    code: 'validation_failed',
    details: {
      issues: expect.arrayContaining([
        { field: 'approverIds', message: expect.any(String) },
        { field: '(input)', message: expect.stringContaining('approvals') },
      ]),
    },
  });

  const invalidLists: [string, Record<string, unknown>][] = [
    ['approverIds', { approverIds: 'everyone' }],
    ['approverIds.0', { approverIds: [1.5] }],
    ['approverIds', { approverIds: [4, 4] }],
    ['staleApproverIds.0', { approverIds: [], staleApproverIds: [0] }],
    ['staleApproverIds', { approverIds: [4], staleApproverIds: [4] }],
    ['rejecterIds', { approverIds: [4], rejecterIds: [4] }],
    ['rejecterIds', { approverIds: [], rejecterIds: null }],
    ['approverIds', { approverIds: Array.from({ length: 1001 }, (_, index) => index + 1) }],
  ];
  for (const [field, lists] of invalidLists) {
    const refused = await failureOf(rpc.callUnchecked(CheckMergeRpc, { ...valid, ...lists }));
    expect({ lists, refused }).toMatchObject({
      lists,
      refused: { code: 'validation_failed', details: { issues: [expect.objectContaining({ field })] } },
    });
  }
});
