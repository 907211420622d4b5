import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { headers } from '@nats-io/transport-node';
import {
  AppendWorkflowLogsRpc,
  CancelWorkflowRunRpc,
  ClaimWorkflowStepRpc,
  CompleteWorkflowStepRpc,
  EVENT_HEADERS,
  ListRecentWorkflowRunsRpc,
  RegisterRunnerRpc,
  RunnerHeartbeatRpc,
  UpsertWorkflowDefinitionRpc,
  type EventPayload,
  type RpcRequestOf,
} from '@plue/contracts';
import { continueTrace, RpcCallError, runInTrace, type ReadinessReport } from '@plue/service-kit';
import { expectServiceReady, insertRepository, insertUser, unique } from '@plue/testing';
import { createHash, randomUUID } from 'node:crypto';
import { eventually } from './agent-service-process';
import { publishBranchesPushed, publishIssueEvents } from './outbox-events';
import { useAgentService } from './service-under-test';

const agent = useAgentService({ LOG_LEVEL: 'debug' });

const sha = (text: string) => createHash('sha1').update(text).digest('hex');

/** build → (test, lint) → deploy: four steps, one ready at creation. */
const PLAN = {
  steps: [
    { id: 'build', name: 'Build', type: 'shell', run: ['npm', 'run', 'build'] },
    { id: 'test', name: 'Test', type: 'shell', run: ['npm', 'test'], depends_on: ['build'] },
    { id: 'lint', name: 'Lint', type: 'shell', run: ['npm', 'run', 'lint'], depends_on: ['build'] },
    { id: 'deploy', name: 'Deploy', type: 'shell', run: ['./deploy'], depends_on: ['test', 'lint'] },
  ],
};

function definition(
  repoId: number,
  name: string,
  triggers: Record<string, unknown>[],
): RpcRequestOf<typeof UpsertWorkflowDefinitionRpc> {
  return {
    repoId,
    name,
    filePath: `.plue/workflows/${name}.yml`,
    triggers,
    plan: PLAN,
    contentHash: createHash('sha256').update(name).digest('hex'),
  };
}

function pushed(repository: Record<string, unknown>, branch: string): EventPayload<'plue.git.branch.pushed'> {
  return {
    repoId: repository.id as number,
    branch,
    ref: `refs/heads/${branch}`,
    beforeCommitSha: null,
    headCommitSha: sha(unique(branch)),
    pusherId: repository.user_id as number,
    forced: false,
  };
}

async function runsOf(
  repoId: number,
): Promise<{ id: number; definition_id: number; ref: string; head_commit_id: string }[]> {
  const { admin } = agent();
  const { rows } = await admin.query(
    'SELECT id::int, definition_id::int, ref, head_commit_id FROM workflow_runs WHERE repo_id = $1 ORDER BY id',
    [repoId],
  );
  return rows;
}

it('starts from its build output alone and answers readiness with each check', async () => {
  const { healthPort } = agent();
  await expectServiceReady(healthPort, {
    relaySchema: 'agent',
    consumerSubjects: [
      'plue.collaboration.comment.created',
      'plue.collaboration.issue.opened',
      'plue.git.branch.pushed',
    ],
  });
});

it('creates runs, with all their steps, only for definitions whose triggers match the pushed branch (DESIGN §4 flow 2)', async () => {
  const { rpc, admin, nats: connection, database } = agent();
  const repository = await insertRepository(admin);
  const repoId = repository.id as number;
  const onMain = await rpc.call(
    UpsertWorkflowDefinitionRpc,
    definition(repoId, 'ci-main', [{ event: 'push', branches: ['main'] }]),
  );
  const onReleases = await rpc.call(
    UpsertWorkflowDefinitionRpc,
    definition(repoId, 'ci-release', [
      { event: 'push', branches: ['release/**'], branches_ignore: ['release/old/**'] },
    ]),
  );
  const anyPush = await rpc.call(UpsertWorkflowDefinitionRpc, definition(repoId, 'ci-any', [{ event: 'push' }]));
  await rpc.call(UpsertWorkflowDefinitionRpc, definition(repoId, 'on-issues', [{ event: 'issue', types: ['opened'] }]));
  expect(onMain).toMatchObject({ repoId, isActive: true, triggers: [{ event: 'push', branches: ['main'] }] });

  const toRelease = pushed(repository, 'release/v1/rc');
  const toOldRelease = pushed(repository, 'release/old/v0');
  const toFeature = pushed(repository, 'feature/x');
  await publishBranchesPushed(database.url, connection, [toRelease, toOldRelease, toFeature]);

  // release/v1/rc: ci-release and ci-any; release/old/v0: ci-any; feature/x: ci-any.
  const runs = await eventually(async () => {
    const found = await runsOf(repoId);
    return found.length >= 4 ? found : undefined;
  });
  const expected = [
    { definition_id: onReleases.id, ref: 'release/v1/rc', head_commit_id: toRelease.headCommitSha },
    { definition_id: anyPush.id, ref: 'release/v1/rc', head_commit_id: toRelease.headCommitSha },
    { definition_id: anyPush.id, ref: 'release/old/v0', head_commit_id: toOldRelease.headCommitSha },
    { definition_id: anyPush.id, ref: 'feature/x', head_commit_id: toFeature.headCommitSha },
  ];
  const sortKey = (run: { definition_id: number; ref: string }) => `${run.ref} ${run.definition_id}`;
  expect(
    runs
      .map(({ definition_id, ref, head_commit_id }) => ({ definition_id, ref, head_commit_id }))
      .sort((a, b) => sortKey(a).localeCompare(sortKey(b))),
  ).toEqual(expected.sort((a, b) => sortKey(a).localeCompare(sortKey(b))));
  // Every event has been handled: no run for ci-main, nor for the issue workflow, is still coming.
  await eventually(async () => {
    const { rows } = await admin.query(
      `SELECT count(*)::int AS n FROM agent.inbox WHERE consumer = 'agent--plue_git_branch_pushed' AND aggregate_id = $1`,
      [String(repoId)],
    );
    return rows[0].n === 3 ? true : undefined;
  });
  expect(await runsOf(repoId)).toHaveLength(4);

  const { rows: steps } = await admin.query(
    `SELECT s.run_id::int, s.step_key, s.status FROM workflow_steps s JOIN workflow_runs r ON r.id = s.run_id
      WHERE r.repo_id = $1 ORDER BY s.run_id, s.id`,
    [repoId],
  );
  for (const run of runs) {
    expect(steps.filter((step) => step.run_id === run.id).map((step) => [step.step_key, step.status])).toEqual([
      ['build', 'ready'],
      ['test', 'pending'],
      ['lint', 'pending'],
      ['deploy', 'pending'],
    ]);
  }

  const recent = await rpc.call(ListRecentWorkflowRunsRpc, { repoId });
  expect(recent.items).toHaveLength(4);
  expect(recent.items.map((run) => run.workflowName).sort()).toEqual(['ci-any', 'ci-any', 'ci-any', 'ci-release']);
  expect(recent.items.every((run) => run.status === 'queued' && run.triggerType === 'push')).toBe(true);

  // These runs are not for the runner tests below: cancel them so their steps are not handed out.
  await retireRunsOf(repoId);
});

/** This instance's consumer counters for one subject, from its readiness report. */
async function consumerMetrics(subject: string): Promise<{ handled: number; duplicates: number }> {
  const { healthPort } = agent();
  const report = (await (await fetch(`http://127.0.0.1:${healthPort}/health/ready`)).json()) as ReadinessReport;
  const consumers = report.checks.messaging.consumers as { subject: string; handled: number; duplicates: number }[];
  return consumers.find((consumer) => consumer.subject === subject)!;
}

/** Cancels a repository's runs so that the runner tests below are not handed their steps. */
async function retireRunsOf(repoId: number): Promise<void> {
  const { admin } = agent();
  await admin.query(
    `UPDATE workflow_steps SET status = 'cancelled', completed_at = now()
      WHERE status IN ('pending', 'ready') AND run_id IN (SELECT id FROM workflow_runs WHERE repo_id = $1)`,
    [repoId],
  );
  await admin.query(`UPDATE workflow_runs SET status = 'cancelled', completed_at = now() WHERE repo_id = $1`, [repoId]);
}

it('starts issue and issue_comment workflows on opened issues and new comments, by action and mentions (DESIGN §4 flow 5)', async () => {
  const { rpc, admin, nats: connection, database } = agent();
  const repository = await insertRepository(admin);
  const repoId = repository.id as number;
  const authorId = repository.user_id as number;
  const bot = await insertUser(admin);
  const botId = bot.id as number;
  const upsert = async (name: string, triggers: Record<string, unknown>[]) =>
    (await rpc.call(UpsertWorkflowDefinitionRpc, definition(repoId, name, triggers))).id;
  const onIssue = await upsert('on-issue', [{ event: 'issue' }]);
  const summonedOnOpen = await upsert('summoned-on-open', [{ event: 'issue', types: ['opened'], mentions: [botId] }]);
  const onComment = await upsert('on-comment', [{ event: 'issue_comment', types: ['created'] }]);
  const summonedInComment = await upsert('summoned-in-comment', [{ event: 'issue_comment', mentions: [botId] }]);
  await upsert('on-issue-closed', [{ event: 'issue', types: ['closed'] }]);
  await upsert('on-comment-edited', [{ event: 'issue_comment', types: ['edited'] }]);
  await upsert('on-push', [{ event: 'push' }]);

  type OpenedIssue = { issueId: number; issueNumber: number; title: string; mentionedUserIds: number[] };
  const plainIssue: OpenedIssue = { issueId: 9_000_001, issueNumber: 1, title: 'Crash on start', mentionedUserIds: [] };
  const pullRequest: OpenedIssue = {
    issueId: 9_000_002,
    issueNumber: 2,
    title: 'Fix crash',
    mentionedUserIds: [botId],
  };
  const summoningIssue: OpenedIssue = {
    issueId: 9_000_003,
    issueNumber: 3,
    title: '@bot triage',
    mentionedUserIds: [botId],
  };
  const opened = (issue: OpenedIssue, isPullRequest = false) => ({
    subject: 'plue.collaboration.issue.opened' as const,
    payload: { ...issue, repoId, authorId, isPullRequest },
  });
  const comment = {
    commentId: 7_000_001,
    issueId: plainIssue.issueId,
    repoId,
    issueNumber: plainIssue.issueNumber,
    authorId,
    body: `@${String(bot.username)} can you look?`,
    mentionedUserIds: [botId],
  };
  await publishIssueEvents(database.url, connection, [
    opened(plainIssue),
    opened(pullRequest, true),
    { subject: 'plue.collaboration.comment.created', payload: comment },
    opened(summoningIssue),
  ]);

  // Every event has been handled (inbox rows) before asserting which runs exist and which do not.
  const issueIds = [plainIssue, pullRequest, summoningIssue].map((issue) => String(issue.issueId));
  await eventually(async () => {
    const { rows } = await admin.query(
      `SELECT count(*)::int AS n FROM agent.inbox WHERE consumer LIKE 'agent--plue_collaboration_%' AND aggregate_id = ANY ($1)`,
      [issueIds],
    );
    return rows[0].n === 4 ? true : undefined;
  });
  const { rows: runs } = await admin.query(
    `SELECT definition_id::int, trigger_type, ref, head_commit_id, trigger_payload, status
       FROM workflow_runs WHERE repo_id = $1 ORDER BY definition_id, (trigger_payload->>'issueId')::bigint`,
    [repoId],
  );
  const issueOpened = (issue: OpenedIssue) => ({
    action: 'opened',
    ...issue,
    repoId,
    authorId,
    isPullRequest: false,
  });
  const expected = [
    { definition_id: onIssue, trigger_type: 'issue', trigger_payload: issueOpened(plainIssue) },
    { definition_id: onIssue, trigger_type: 'issue', trigger_payload: issueOpened(summoningIssue) },
    { definition_id: summonedOnOpen, trigger_type: 'issue', trigger_payload: issueOpened(summoningIssue) },
    { definition_id: onComment, trigger_type: 'issue_comment', trigger_payload: { action: 'created', ...comment } },
    {
      definition_id: summonedInComment,
      trigger_type: 'issue_comment',
      trigger_payload: { action: 'created', ...comment },
    },
  ].map((run) => ({ ...run, ref: null, head_commit_id: null, status: 'queued' }));
  expect(runs).toEqual(expected.sort((a, b) => a.definition_id - b.definition_id));

  const { rows: steps } = await admin.query(
    `SELECT s.step_key, s.status FROM workflow_steps s JOIN workflow_runs r ON r.id = s.run_id
      WHERE r.repo_id = $1 ORDER BY s.run_id, s.id`,
    [repoId],
  );
  expect(steps).toHaveLength(5 * 4);
  expect(steps.filter((step) => step.status === 'ready').map((step) => step.step_key)).toEqual(Array(5).fill('build'));
  const recent = await rpc.call(ListRecentWorkflowRunsRpc, { repoId });
  expect(
    recent.items
      .filter((run) => run.triggerType === 'issue_comment')
      .map((run) => run.workflowName)
      .sort(),
  ).toEqual(['on-comment', 'summoned-in-comment']);

  // The comment delivered again (as after a lost acknowledgement, past JetStream's duplicate window):
  // the inbox drops it and no run is added.
  const jsm = await jetstreamManager(connection);
  const stored = (await jsm.streams.getMessage('PLUE_COLLABORATION', {
    last_by_subj: 'plue.collaboration.comment.created',
  }))!;
  expect(stored.json()).toEqual(comment);
  const again = headers();
  for (const name of Object.values(EVENT_HEADERS)) {
    const value = stored.header.get(name);
    if (value && name !== EVENT_HEADERS.messageId) again.set(name, value);
  }
  const duplicatesBefore = (await consumerMetrics('plue.collaboration.comment.created')).duplicates;
  await jetstream(connection).publish('plue.collaboration.comment.created', stored.data, {
    headers: again,
    msgID: randomUUID(),
  });
  await eventually(async () =>
    (await consumerMetrics('plue.collaboration.comment.created')).duplicates === duplicatesBefore + 1
      ? true
      : undefined,
  );
  const { rows: after } = await admin.query('SELECT count(*)::int AS n FROM workflow_runs WHERE repo_id = $1', [
    repoId,
  ]);
  expect(after[0].n).toBe(5);

  await retireRunsOf(repoId);
});

it('lets a runner register, claim and complete every step; the run completes and its event reaches JetStream', async () => {
  const { rpc, admin, nats: connection, database } = agent();
  const repository = await insertRepository(admin);
  const repoId = repository.id as number;
  const workflow = await rpc.call(
    UpsertWorkflowDefinitionRpc,
    definition(repoId, unique('runner-'), [{ event: 'push', branches: ['main'] }]),
  );
  const push = pushed(repository, 'main');
  await publishBranchesPushed(database.url, connection, [push]);
  const [run] = await eventually(async () => {
    const found = await runsOf(repoId);
    return found.length === 1 ? found : undefined;
  });

  // Steps of other tests' runs may be ready too; this runner completes whatever it is handed.
  const runner = await rpc.call(RegisterRunnerRpc, { podName: unique('runner-pod-'), labels: ['linux'] });
  expect(runner).toMatchObject({ status: 'available', labels: ['linux'], claimedByStepId: null });
  expect(await rpc.call(RunnerHeartbeatRpc, { runnerId: runner.id })).toMatchObject({ id: runner.id });

  const trace = continueTrace();
  const completedKeys: string[] = [];
  let finished: Awaited<ReturnType<typeof completeNext>> | undefined;
  async function completeNext() {
    const { step } = await rpc.call(ClaimWorkflowStepRpc, { runnerId: runner.id });
    if (!step) return null;
    expect(step).toMatchObject({ status: 'running', runnerId: runner.id, attempt: 1 });
    const lines = [{ content: `$ ${step.stepKey}` }, { content: 'warning', logType: 'stderr' as const }];
    expect(await rpc.call(AppendWorkflowLogsRpc, { runnerId: runner.id, stepId: step.id, lines })).toEqual({
      count: 2,
      firstSequence: 0,
      lastSequence: 1,
    });
    expect(
      await rpc.call(AppendWorkflowLogsRpc, { runnerId: runner.id, stepId: step.id, lines: [{ content: 'done' }] }),
    ).toEqual({ count: 1, firstSequence: 2, lastSequence: 2 });
    return runInTrace(trace, () =>
      rpc.call(CompleteWorkflowStepRpc, { runnerId: runner.id, stepId: step.id, status: 'success', exitCode: 0 }),
    );
  }
  for (let round = 0; round < 50; round += 1) {
    const result = await completeNext();
    if (!result) break;
    if (result.run.id === run.id) {
      completedKeys.push(result.step.stepKey);
      expect(result.step).toMatchObject({ status: 'success', exitCode: 0 });
      if (result.run.status !== 'running') finished = result;
    }
  }

  expect(completedKeys.slice(0, 1)).toEqual(['build']);
  expect(completedKeys.slice(1, 3).sort()).toEqual(['lint', 'test']);
  expect(completedKeys[3]).toBe('deploy');
  expect(finished?.run).toMatchObject({ id: run.id, status: 'success', completedAt: expect.any(String) });
  expect((await rpc.call(ClaimWorkflowStepRpc, { runnerId: runner.id })).step).toBeNull();

  const jsm = await jetstreamManager(connection);
  const stored = await eventually(async () => {
    const message = await jsm.streams
      .getMessage('PLUE_AGENT', { last_by_subj: 'plue.agent.workflow_run.completed' })
      .catch(() => null);
    return message && message.json<{ workflowRunId: number }>().workflowRunId === run.id ? message : undefined;
  });
  expect(stored.json()).toEqual({
    workflowRunId: run.id,
    repoId,
    definitionId: workflow.id,
    runNumber: 1,
    status: 'success',
    ref: 'main',
    headCommitSha: push.headCommitSha,
    completedAt: finished!.run.completedAt,
  });
  expect(stored.header.get(EVENT_HEADERS.traceparent)).toMatch(new RegExp(`^00-${trace.traceId}-`));
  const { rows } = await admin.query(
    `SELECT count(*)::int AS n FROM agent.outbox WHERE subject = 'plue.agent.workflow_run.completed' AND aggregate_id = $1`,
    [String(run.id)],
  );
  expect(rows[0].n).toBe(1);
});

it('fails a run when a step fails, skipping its dependents, and emits the failure once', async () => {
  const { rpc, admin, nats: connection, database } = agent();
  const repository = await insertRepository(admin);
  const repoId = repository.id as number;
  await rpc.call(UpsertWorkflowDefinitionRpc, definition(repoId, unique('failing-'), [{ event: 'push' }]));
  await publishBranchesPushed(database.url, connection, [pushed(repository, 'topic')]);
  const [run] = await eventually(async () => {
    const found = await runsOf(repoId);
    return found.length === 1 ? found : undefined;
  });
  const runner = await rpc.call(RegisterRunnerRpc, { podName: unique('runner-pod-') });

  let final: Awaited<ReturnType<typeof rpc.call<typeof CompleteWorkflowStepRpc>>> | undefined;
  for (let round = 0; round < 50 && !final; round += 1) {
    const { step } = await rpc.call(ClaimWorkflowStepRpc, { runnerId: runner.id });
    if (!step) break;
    const mine = step.runId === run.id;
    const result = await rpc.call(CompleteWorkflowStepRpc, {
      runnerId: runner.id,
      stepId: step.id,
      status: mine ? 'failure' : 'success',
      ...(mine ? { exitCode: 1, error: 'build broke' } : {}),
    });
    if (mine) final = result;
  }

  expect(final).toMatchObject({
    step: { stepKey: 'build', status: 'failure' },
    run: { id: run.id, status: 'failure' },
  });
  const { rows: steps } = await admin.query(
    'SELECT step_key, status FROM workflow_steps WHERE run_id = $1 ORDER BY id',
    [run.id],
  );
  expect(steps.map((step) => step.status)).toEqual(['failure', 'skipped', 'skipped', 'skipped']);
  const { rows } = await admin.query(
    `SELECT payload->>'status' AS status FROM agent.outbox WHERE subject = 'plue.agent.workflow_run.completed' AND aggregate_id = $1`,
    [String(run.id)],
  );
  expect(rows).toEqual([{ status: 'failure' }]);
});

it('cancels a run: no further step is handed out, the running one finishes, and the event says cancelled once', async () => {
  const { rpc, admin, nats: connection, database } = agent();
  const repository = await insertRepository(admin);
  const repoId = repository.id as number;
  await rpc.call(UpsertWorkflowDefinitionRpc, definition(repoId, unique('cancelled-'), [{ event: 'push' }]));
  await publishBranchesPushed(database.url, connection, [pushed(repository, 'main')]);
  const [run] = await eventually(async () => {
    const found = await runsOf(repoId);
    return found.length === 1 ? found : undefined;
  });
  const runner = await rpc.call(RegisterRunnerRpc, { podName: unique('runner-pod-') });
  const { step } = await rpc.call(ClaimWorkflowStepRpc, { runnerId: runner.id });
  expect(step).toMatchObject({ runId: run.id, stepKey: 'build', status: 'running' });

  const cancelled = await rpc.call(CancelWorkflowRunRpc, { runId: run.id });
  expect(cancelled).toMatchObject({ id: run.id, status: 'cancelled', completedAt: expect.any(String) });
  const again = await rpc.call(CancelWorkflowRunRpc, { runId: run.id }).catch((error: unknown) => error);
  expect(again).toMatchObject({ code: 'conflict' });

  const finished = await rpc.call(CompleteWorkflowStepRpc, {
    runnerId: runner.id,
    stepId: step!.id,
    status: 'success',
  });
  expect(finished).toMatchObject({ step: { status: 'success' }, run: { status: 'cancelled' } });
  expect((await rpc.call(ClaimWorkflowStepRpc, { runnerId: runner.id })).step).toBeNull();
  const lateLogs = await rpc
    .call(AppendWorkflowLogsRpc, { runnerId: runner.id, stepId: step!.id, lines: [{ content: 'late' }] })
    .catch((error: unknown) => error);
  expect(lateLogs).toMatchObject({ code: 'conflict', details: { status: 'success' } });

  const { rows: steps } = await admin.query('SELECT status FROM workflow_steps WHERE run_id = $1 ORDER BY id', [
    run.id,
  ]);
  expect(steps.map((row) => row.status)).toEqual(['success', 'cancelled', 'cancelled', 'cancelled']);
  const { rows } = await admin.query(
    `SELECT payload->>'status' AS status FROM agent.outbox WHERE subject = 'plue.agent.workflow_run.completed' AND aggregate_id = $1`,
    [String(run.id)],
  );
  expect(rows).toEqual([{ status: 'cancelled' }]);
});

it('answers an invalid request with a structured validation error and writes nothing', async () => {
  const { rpc, admin, count, counts } = agent();
  const repository = await insertRepository(admin);
  const tables = ['workflow_definitions', 'workflow_runs', 'workflow_steps', 'runner_pool', 'agent.outbox'];
  const before = await counts(tables);
  const logsBefore = await count('workflow_logs');

  const badShape = await rpc
    .callUnchecked(UpsertWorkflowDefinitionRpc, { repoId: repository.id, name: '', plan: [], contentHash: 'abc' })
    .catch((error: unknown) => error);
  const cycle = await rpc
    .call(UpsertWorkflowDefinitionRpc, {
      ...definition(repository.id as number, 'cyclic', [{ event: 'push' }]),
      plan: {
        steps: [
          { id: 'a', name: 'A', type: 'shell', run: ['true'], depends_on: ['b'] },
          { id: 'b', name: 'B', type: 'shell', run: ['true'], depends_on: ['a'] },
        ],
      },
    })
    .catch((error: unknown) => error);
  const badMentions = await rpc
    .call(
      UpsertWorkflowDefinitionRpc,
      definition(repository.id as number, 'summon', [{ event: 'issue_comment', mentions: ['plue-bot'] }]),
    )
    .catch((error: unknown) => error);
  const badRunner = await rpc
    .callUnchecked(RegisterRunnerRpc, { podName: '', podIp: 'not-an-ip', extra: true })
    .catch((error: unknown) => error);
  const badCompletion = await rpc
    .callUnchecked(CompleteWorkflowStepRpc, { runnerId: 0, stepId: 1, status: 'done' })
    .catch((error: unknown) => error);

  expect(badShape).toBeInstanceOf(RpcCallError);
  expect(badShape).toMatchObject({
    code: 'validation_failed',
    details: {
      issues: expect.arrayContaining([
        { field: 'name', message: expect.any(String) },
        { field: 'filePath', message: expect.any(String) },
        { field: 'triggers', message: expect.any(String) },
        { field: 'plan', message: expect.any(String) },
        { field: 'contentHash', message: expect.any(String) },
      ]),
    },
  });
  expect(cycle).toMatchObject({ code: 'validation_failed', message: expect.stringMatching(/cycle/) });
  expect(badMentions).toMatchObject({
    code: 'validation_failed',
    details: { issues: [{ field: 'triggers.0.mentions.0', message: expect.any(String) }] },
  });
  expect(badRunner).toMatchObject({ code: 'validation_failed' });
  expect(badCompletion).toMatchObject({
    code: 'validation_failed',
    details: {
      issues: expect.arrayContaining([
        { field: 'runnerId', message: expect.any(String) },
        { field: 'status', message: expect.any(String) },
      ]),
    },
  });
  const badLogs = await rpc
    .callUnchecked(AppendWorkflowLogsRpc, { runnerId: 1, stepId: 1, lines: [] })
    .catch((error: unknown) => error);
  expect(badLogs).toMatchObject({ code: 'validation_failed', details: { issues: [{ field: 'lines' }] } });
  expect(await counts([...tables, 'workflow_logs'])).toEqual([...before, logsBefore]);
});

it('returns domain errors with their code and no stack trace', async () => {
  const { rpc } = agent();
  const missing = await rpc.call(RunnerHeartbeatRpc, { runnerId: 987_654_321 }).catch((error: unknown) => error);
  const runner = await rpc.call(RegisterRunnerRpc, { podName: unique('runner-pod-') });
  const notYours = await rpc
    .call(CompleteWorkflowStepRpc, { runnerId: runner.id, stepId: 987_654_321, status: 'success' })
    .catch((error: unknown) => error);

  expect(missing).toMatchObject({ code: 'not_found', details: { field: 'id' } });
  expect(notYours).toMatchObject({ code: 'not_found', details: { field: 'stepId' } });
  expect(JSON.stringify([missing, notYours])).not.toMatch(/\bat .+\.js:\d+/);
});

it('on SIGTERM stops taking requests, finishes the one in progress, then exits 0', async () => {
  const { rpc, admin, healthPort, service, database } = agent();
  const runner = await rpc.call(RegisterRunnerRpc, { podName: unique('runner-pod-') });
  // Holding the runner's row keeps the heartbeat below in progress for as long as the test wants.
  const blocker = await database.connect();
  await blocker.query('BEGIN');
  await blocker.query('SELECT 1 FROM runner_pool WHERE id = $1 FOR UPDATE', [runner.id]);
  const inProgress = rpc.call(RunnerHeartbeatRpc, { runnerId: runner.id });
  await eventually(async () => {
    const { rows } = await admin.query(
      `SELECT 1 FROM pg_stat_activity WHERE application_name = 'agent-service' AND wait_event_type = 'Lock'`,
    );
    return rows.length > 0 ? true : undefined;
  });

  service.child.kill('SIGTERM');
  // New requests find no responder once the subscriptions are gone (other instances would get them).
  const refusal = await eventually(() =>
    rpc.call(ListRecentWorkflowRunsRpc, { repoId: 1 }).then(
      () => undefined,
      (error: unknown) => error,
    ),
  );
  expect(String(refusal)).toMatch(/no responders/i);
  expect((await fetch(`http://127.0.0.1:${healthPort}/health/ready`)).status).toBe(503);

  await blocker.query('COMMIT');
  await blocker.end();
  expect(await inProgress).toMatchObject({ id: runner.id, status: 'available' });
  expect(await service.exited).toBe(0);
  const messages = service.logs.map((line) => line.msg);
  expect(messages).toEqual(expect.arrayContaining(['agent-service stopping', 'agent-service stopped']));
  expect(service.logs.filter((line) => line.level === 'error')).toEqual([]);
  await expect(fetch(`http://127.0.0.1:${healthPort}/health/live`)).rejects.toThrow();
});
