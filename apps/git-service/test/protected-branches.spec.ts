import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
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
import { insertRepository, insertUser, startNatsServer, useTestDatabase, type NatsServer } from '@plue/testing';
import type { Client } from 'pg';
import { spawnService, waitUntilReady, type ServiceProcess } from './git-service-process';

// Branch protection over NATS: rules (upsert, list, delete), the branch query, and the merge check
// collaboration asks for (DESIGN §4 flow 4), against the built git-service.

const database = useTestDatabase();
let nats: NatsServer;
let service: ServiceProcess;
let connection: NatsConnection;
let rpc: RpcClient;
let admin: Client;

beforeAll(async () => {
  nats = await startNatsServer();
  service = spawnService({
    DATABASE_URL: database().urlFor('plue_git'),
    NATS_URL: nats.url,
    HEALTH_PORT: '0',
    LOG_LEVEL: 'debug',
  });
  await waitUntilReady(service);
  connection = await connect({ servers: nats.url });
  rpc = new RpcClient(connection);
  admin = await database().connect();
});

afterAll(async () => {
  if (service.child.exitCode === null) service.child.kill('SIGKILL');
  await connection?.close();
  await admin?.end();
  await nats?.stop();
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

function check(repoId: number, overrides: Partial<RpcRequestOf<typeof CheckMergeRpc>> = {}) {
  return rpc.call(CheckMergeRpc, {
    repoId,
    baseBranch: 'main',
    headCommitSha: HEAD,
    approvals: 0,
    mergerId: 1,
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

it('allows every merge into a branch no rule protects', async () => {
  const repoId = await repositoryId();
  await rpc.call(UpsertProtectedBranchRpc, { repoId, ruleName: 'release/*', requiredApprovals: 3 });
  expect(await check(repoId)).toEqual({ allowed: true, rule: null, unmet: [] });
});

it('checks required approvals and status checks of the head commit', async () => {
  const repoId = await repositoryId();
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

  const refused = await check(repoId, { approvals: 1 });
  expect(refused).toMatchObject({ allowed: false, rule: { ruleName: 'main', requiredApprovals: 2 } });
  expect(refused.unmet).toEqual([
    { requirement: 'approvals', required: 2, actual: 1 },
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
  expect(await check(repoId, { approvals: 2 })).toMatchObject({ allowed: true, unmet: [] });
});

it('counts stale approvals unless the rule dismisses them, and picks the best matching glob rule', async () => {
  const repoId = await repositoryId();
  await rpc.call(UpsertProtectedBranchRpc, { repoId, ruleName: 'release/*', requiredApprovals: 1 });
  await rpc.call(UpsertProtectedBranchRpc, {
    repoId,
    ruleName: 'release/**',
    priority: 9,
    requiredApprovals: 1,
    dismissStaleApprovals: true,
  });
  const onRelease = { baseBranch: 'release/v1', approvals: 0, staleApprovals: 1 };

  expect(await check(repoId, onRelease)).toMatchObject({
    allowed: false,
    rule: { ruleName: 'release/**' },
    unmet: [{ requirement: 'approvals', required: 1, actual: 0 }],
  });
  await rpc.call(UpsertProtectedBranchRpc, { repoId, ruleName: 'release/**', priority: 9, requiredApprovals: 1 });
  expect(await check(repoId, onRelease)).toMatchObject({ allowed: true, unmet: [] });
});

it('checks rejected reviews, the merge allowlist, a branch behind its base, and statuses when none are listed', async () => {
  const repository = await insertRepository(admin);
  const repoId = repository.id as number;
  const merger = await insertUser(admin);
  const baseHead = 'e'.repeat(40);
  await rpc.call(PushBranchRpc, {
    repoId,
    branch: 'main',
    headCommitSha: baseHead,
    pusherId: repository.user_id as number,
  });
  await rpc.call(UpsertProtectedBranchRpc, {
    repoId,
    ruleName: 'main',
    blockOnRejectedReviews: true,
    enableMergeAllowlist: true,
    mergeAllowlistUserIds: [merger.id as number],
    blockOnOutdatedBranch: true,
    enableStatusCheck: true,
  });

  expect(
    (await check(repoId, { hasRejectedReviews: true, mergerId: repository.user_id as number, mergeBaseSha: null }))
      .unmet,
  ).toEqual([
    { requirement: 'merge_allowlist', mergerId: repository.user_id },
    { requirement: 'no_rejected_reviews' },
    { requirement: 'status_checks', contexts: [], noStatuses: true },
    { requirement: 'up_to_date', baseCommitSha: baseHead },
  ]);

  await rpc.call(UpsertCommitStatusRpc, { repoId, commitSha: HEAD, context: 'build', state: 'success' });
  expect(await check(repoId, { mergerId: merger.id as number, mergeBaseSha: baseHead })).toMatchObject({
    allowed: true,
    unmet: [],
  });
});

it('refuses an invalid check naming the field', async () => {
  const failure = await failureOf(
    rpc.callUnchecked(CheckMergeRpc, { repoId: 1, baseBranch: 'main', headCommitSha: 'HEAD', approvals: -1 }),
  );
  expect(failure).toMatchObject({
    code: 'validation_failed',
    details: {
      issues: expect.arrayContaining([
        { field: 'headCommitSha', message: expect.any(String) },
        { field: 'approvals', message: expect.any(String) },
        { field: 'mergerId', message: expect.any(String) },
      ]),
    },
  });
});
