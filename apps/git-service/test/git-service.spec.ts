import { jetstreamManager } from '@nats-io/jetstream';
import {
  CreateRepositoryRpc,
  EVENT_HEADERS,
  GetRepositoryRpc,
  ListRepositoriesRpc,
  PushBranchRpc,
  type EventPayload,
} from '@plue/contracts';
import { continueTrace, RpcCallError, runInTrace } from '@plue/service-kit';
import {
  expectServiceReady,
  insertRepository,
  insertUser,
  insertWorkflowDefinition,
  insertWorkflowRun,
  unique,
} from '@plue/testing';
import { publishRunsCompleted } from './agent-events';
import { eventually } from './git-service-process';
import { useGitService } from './service-under-test';

const git = useGitService({ LOG_LEVEL: 'debug' });

it('starts from its build output alone and answers readiness with each check', async () => {
  const { healthPort } = git();
  await expectServiceReady(healthPort, {
    relaySchema: 'git',
    consumerSubjects: ['plue.agent.workflow_run.completed', 'plue.auth.user.deleted'],
  });
});

it('creates a repository over RPC, and its event reaches JetStream with the caller’s trace', async () => {
  const { rpc, admin, nats: connection, service } = git();
  const owner = await insertUser(admin);
  const trace = continueTrace();
  const name = unique('repo-');

  const reply = await runInTrace(trace, () =>
    rpc.call(CreateRepositoryRpc, { ownerId: owner.id as number, name, isPublic: false }),
  );

  expect(reply).toMatchObject({ ownerId: owner.id, name, isPublic: false, defaultBranch: 'main' });
  const { rows } = await admin.query('SELECT user_id::int, name, is_public FROM repositories WHERE id = $1', [
    reply.id,
  ]);
  expect(rows).toEqual([{ user_id: owner.id, name, is_public: false }]);

  const jsm = await jetstreamManager(connection);
  const stored = await eventually(async () => {
    const message = await jsm.streams
      .getMessage('PLUE_GIT', { last_by_subj: 'plue.git.repository.created' })
      .catch(() => null);
    return message?.json<EventPayload<'plue.git.repository.created'>>().repoId === reply.id ? message : undefined;
  });
  expect(stored.json()).toEqual({
    repoId: reply.id,
    ownerId: owner.id,
    name,
    defaultBranch: 'main',
    isPublic: false,
  });
  expect(stored.header.get(EVENT_HEADERS.traceparent)).toMatch(new RegExp(`^00-${trace.traceId}-`));
  expect(service.logs).toContainEqual(
    expect.objectContaining({ msg: 'message handled', subject: CreateRepositoryRpc.pattern, traceId: trace.traceId }),
  );
  // Listings leave private repositories out unless asked for them.
  const listed = await rpc.call(ListRepositoriesRpc, { ownerId: owner.id as number });
  expect(listed).toEqual({ items: [], nextCursor: null });
  const all = await rpc.call(ListRepositoriesRpc, { ownerId: owner.id as number, includePrivate: true });
  expect(all.items.map((item) => item.id)).toEqual([reply.id]);
});

it('answers an invalid request with a structured validation error and writes nothing', async () => {
  const { rpc, admin, count } = git();
  const owner = await insertUser(admin);
  const [repositoriesBefore, outboxBefore] = [await count('repositories'), await count('git.outbox')];

  const failure = await rpc
    .callUnchecked(CreateRepositoryRpc, { ownerId: owner.id, name: '', visibility: 'secret' })
    .catch((error: unknown) => error);

  expect(failure).toBeInstanceOf(RpcCallError);
  expect(failure).toMatchObject({
    code: 'validation_failed',
    details: {
      issues: expect.arrayContaining([
        { field: 'name', message: expect.any(String) },
        { field: '(input)', message: expect.stringContaining('visibility') },
      ]),
    },
  });
  expect(await count('repositories')).toBe(repositoriesBefore);
  expect(await count('git.outbox')).toBe(outboxBefore);
});

it('returns domain errors with their code and no stack trace', async () => {
  const { rpc } = git();
  const failure = await rpc
    .call(PushBranchRpc, { repoId: 987_654_321, branch: 'main', headCommitSha: 'a'.repeat(40), pusherId: 1 })
    .catch((error: unknown) => error);
  expect(failure).toMatchObject({ code: 'not_found', details: { field: 'repoId' } });
  expect(JSON.stringify(failure)).not.toMatch(/\bat .+\.js:\d+/);
});

it('records a push and emits branch.pushed with the previous head', async () => {
  const { rpc, admin } = git();
  const repository = await insertRepository(admin);
  const push = (sha: string) =>
    rpc.call(PushBranchRpc, {
      repoId: repository.id as number,
      branch: 'feature/x',
      headCommitSha: sha,
      pusherId: repository.user_id as number,
    });

  expect(await push('a'.repeat(40))).toMatchObject({ created: true, beforeCommitSha: null });
  expect(await push('b'.repeat(40))).toMatchObject({ created: false, beforeCommitSha: 'a'.repeat(40) });
  const { rows } = await admin.query(
    `SELECT payload FROM git.outbox WHERE subject = 'plue.git.branch.pushed' AND aggregate_id = $1 ORDER BY aggregate_version`,
    [String(repository.id)],
  );
  expect(rows.map((row) => [row.payload.beforeCommitSha, row.payload.headCommitSha])).toEqual([
    [null, 'a'.repeat(40)],
    ['a'.repeat(40), 'b'.repeat(40)],
  ]);
});

it('sets the head commit’s status when a workflow run completes (DESIGN §4 flow 3)', async () => {
  const { admin, nats: connection, database } = git();
  const repository = await insertRepository(admin);
  const definition = await insertWorkflowDefinition(admin, repository);
  const run = await insertWorkflowRun(admin, definition);
  const headCommitSha = 'c'.repeat(40);
  await publishRunsCompleted(database.url, connection, [
    {
      workflowRunId: run.id as number,
      repoId: repository.id as number,
      definitionId: definition.id as number,
      runNumber: 1,
      status: 'failure',
      ref: 'main',
      headCommitSha,
      completedAt: new Date().toISOString(),
    },
  ]);

  const status = await eventually(async () => {
    const { rows } = await admin.query(
      'SELECT context, state, workflow_run_id::int FROM commit_statuses WHERE repo_id = $1 AND commit_sha = $2',
      [repository.id, headCommitSha],
    );
    return rows[0];
  });
  expect(status).toEqual({ context: `workflow/${definition.id}`, state: 'failure', workflow_run_id: run.id });
});

it('on SIGTERM stops taking requests, finishes the one in progress, then exits 0', async () => {
  const { rpc, admin, healthPort, service, database } = git();
  const repository = await insertRepository(admin);
  // Holding the repository row keeps the push below in progress for as long as the test wants.
  const blocker = await database.connect();
  await blocker.query('BEGIN');
  await blocker.query('SELECT 1 FROM repositories WHERE id = $1 FOR UPDATE', [repository.id]);
  const inProgress = rpc.call(PushBranchRpc, {
    repoId: repository.id as number,
    branch: 'main',
    headCommitSha: 'd'.repeat(40),
    pusherId: repository.user_id as number,
  });
  await eventually(async () => {
    const { rows } = await admin.query(
      `SELECT 1 FROM pg_stat_activity WHERE application_name = 'git-service' AND wait_event_type = 'Lock'`,
    );
    return rows.length > 0 ? true : undefined;
  });

  service.child.kill('SIGTERM');
  // New requests find no responder once the subscriptions are gone (other instances would get them).
  const refusal = await eventually(() =>
    rpc.call(GetRepositoryRpc, { repoId: repository.id as number }).then(
      () => undefined,
      (error: unknown) => error,
    ),
  );
  expect(String(refusal)).toMatch(/no responders/i);
  expect((await fetch(`http://127.0.0.1:${healthPort}/health/ready`)).status).toBe(503);

  await blocker.query('COMMIT');
  expect(await inProgress).toMatchObject({ created: true, branch: { commitId: 'd'.repeat(40) } });
  expect(await service.exited).toBe(0);
  const messages = service.logs.map((line) => line.msg);
  expect(messages).toEqual(expect.arrayContaining(['git-service stopping', 'git-service stopped']));
  expect(service.logs.filter((line) => line.level === 'error')).toEqual([]);
  await expect(fetch(`http://127.0.0.1:${healthPort}/health/live`)).rejects.toThrow();
});
