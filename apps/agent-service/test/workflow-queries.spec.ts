import {
  AppendWorkflowLogsRpc,
  ClaimWorkflowStepRpc,
  CompleteWorkflowStepRpc,
  DeactivateWorkflowDefinitionRpc,
  GetWorkflowDefinitionRpc,
  GetWorkflowRunRpc,
  ListWorkflowDefinitionsRpc,
  ListWorkflowLogsRpc,
  RegisterRunnerRpc,
  UpsertWorkflowDefinitionRpc,
  type RpcRequestOf,
} from '@plue/contracts';
import { insertRepository, insertWorkflowRun, unique } from '@plue/testing';
import { createHash } from 'node:crypto';
import { useAgentService } from './service-under-test';

const agent = useAgentService();

const PLAN = {
  steps: [
    { id: 'build', name: 'Build', type: 'shell', run: ['npm', 'run', 'build'] },
    { id: 'test', name: 'Test', type: 'shell', run: ['npm', 'test'], depends_on: ['build'] },
  ],
};

function definition(repoId: number, file: string): RpcRequestOf<typeof UpsertWorkflowDefinitionRpc> {
  return {
    repoId,
    name: file,
    filePath: `.plue/workflows/${file}.yml`,
    triggers: [{ event: 'push', branches: ['main'] }],
    plan: PLAN,
    contentHash: createHash('sha256').update(file).digest('hex'),
  };
}

/** A queued run of the definition with its two steps (build ready, test pending), as createRun makes them. */
async function insertRunWithSteps(definitionId: number, repoId: number): Promise<number> {
  const { admin } = agent();
  const run = await insertWorkflowRun(admin, { id: definitionId, repo_id: repoId }, { ref: 'main' });
  await admin.query(
    `INSERT INTO workflow_steps (run_id, step_key, name, type, config, depends_on, status)
     VALUES ($1, 'build', 'Build', 'shell', $2, '{}', 'ready'),
            ($1, 'test', 'Test', 'shell', $3, '{build}', 'pending')`,
    [run.id, JSON.stringify(PLAN.steps[0]), JSON.stringify(PLAN.steps[1])],
  );
  return run.id as number;
}

it('gets, lists and deactivates workflow definitions', async () => {
  const { rpc, admin } = agent();
  const repoId = (await insertRepository(admin)).id as number;
  const otherRepoId = (await insertRepository(admin)).id as number;
  const lint = await rpc.call(UpsertWorkflowDefinitionRpc, definition(repoId, 'lint'));
  const ci = await rpc.call(UpsertWorkflowDefinitionRpc, definition(repoId, 'ci'));
  await rpc.call(UpsertWorkflowDefinitionRpc, definition(otherRepoId, 'ci'));

  expect(await rpc.call(GetWorkflowDefinitionRpc, { definitionId: ci.id })).toEqual(ci);
  expect((await rpc.call(ListWorkflowDefinitionsRpc, { repoId })).items).toEqual([ci, lint]);

  const deactivated = await rpc.call(DeactivateWorkflowDefinitionRpc, { definitionId: lint.id });
  expect(deactivated).toMatchObject({ id: lint.id, isActive: false, filePath: lint.filePath });
  expect(await rpc.call(DeactivateWorkflowDefinitionRpc, { definitionId: lint.id })).toMatchObject({
    isActive: false,
  });
  expect((await rpc.call(ListWorkflowDefinitionsRpc, { repoId })).items.map((item) => item.id)).toEqual([ci.id]);
  const all = await rpc.call(ListWorkflowDefinitionsRpc, { repoId, includeInactive: true });
  expect(all.items.map((item) => [item.id, item.isActive])).toEqual([
    [ci.id, true],
    [lint.id, false],
  ]);
  expect(await rpc.call(GetWorkflowDefinitionRpc, { definitionId: lint.id })).toMatchObject({ isActive: false });
});

it("gets a run with its steps and pages through a step's logs while it runs and once it has finished", async () => {
  const { rpc, admin } = agent();
  const repoId = (await insertRepository(admin)).id as number;
  const workflow = await rpc.call(UpsertWorkflowDefinitionRpc, definition(repoId, unique('logs-')));
  const runId = await insertRunWithSteps(workflow.id, repoId);
  const runner = await rpc.call(RegisterRunnerRpc, { podName: unique('pod-') });
  const { step } = await rpc.call(ClaimWorkflowStepRpc, { runnerId: runner.id });
  expect(step).toMatchObject({ runId, stepKey: 'build' });
  const stepId = step!.id;

  const running = await rpc.call(GetWorkflowRunRpc, { runId });
  expect(running).toMatchObject({ id: runId, definitionId: workflow.id, status: 'running', ref: 'main' });
  expect(running.steps.map((item) => [item.stepKey, item.status, item.dependsOn])).toEqual([
    ['build', 'running', []],
    ['test', 'pending', ['build']],
  ]);
  expect(running.steps[0].config).toEqual(PLAN.steps[0]);

  const empty = await rpc.call(ListWorkflowLogsRpc, { stepId });
  expect(empty).toEqual({ items: [], nextAfterSequence: -1, hasMore: false, stepStatus: 'running' });

  const lines = ['one', 'two', 'three', 'four', 'five'].map((content) => ({ content }));
  await rpc.call(AppendWorkflowLogsRpc, { runnerId: runner.id, stepId, lines: [...lines.slice(0, 4)] });
  await rpc.call(AppendWorkflowLogsRpc, {
    runnerId: runner.id,
    stepId,
    lines: [{ content: 'five', logType: 'stderr' }],
  });
  const pages: { contents: string[]; next: number; hasMore: boolean }[] = [];
  let after = -1;
  for (let round = 0; round < 5; round += 1) {
    const page = await rpc.call(ListWorkflowLogsRpc, { stepId, afterSequence: after, limit: 2 });
    pages.push({
      contents: page.items.map((item) => item.content),
      next: page.nextAfterSequence,
      hasMore: page.hasMore,
    });
    after = page.nextAfterSequence;
    if (!page.hasMore) break;
  }
  expect(pages).toEqual([
    { contents: ['one', 'two'], next: 1, hasMore: true },
    { contents: ['three', 'four'], next: 3, hasMore: true },
    { contents: ['five'], next: 4, hasMore: false },
  ]);
  const last = await rpc.call(ListWorkflowLogsRpc, { stepId, afterSequence: 3 });
  expect(last.items).toEqual([{ sequence: 4, logType: 'stderr', content: 'five', createdAt: expect.any(String) }]);

  // Three lines of 200 KiB: a page stops within its 512 KiB budget, whatever its line limit.
  const big = 'x'.repeat(200 * 1024);
  await rpc.call(AppendWorkflowLogsRpc, {
    runnerId: runner.id,
    stepId,
    lines: [{ content: big }, { content: big }, { content: big }],
  });
  const budgeted = await rpc.call(ListWorkflowLogsRpc, { stepId, afterSequence: 4, limit: 100 });
  expect(budgeted.items.map((item) => item.sequence)).toEqual([5, 6]);
  expect(budgeted).toMatchObject({ nextAfterSequence: 6, hasMore: true });
  const rest = await rpc.call(ListWorkflowLogsRpc, { stepId, afterSequence: 6, limit: 100 });
  expect(rest).toMatchObject({ items: [{ sequence: 7 }], hasMore: false, stepStatus: 'running' });

  await rpc.call(CompleteWorkflowStepRpc, { runnerId: runner.id, stepId, status: 'success', exitCode: 0 });
  const finished = await rpc.call(ListWorkflowLogsRpc, { stepId, afterSequence: 7 });
  expect(finished).toEqual({ items: [], nextAfterSequence: 7, hasMore: false, stepStatus: 'success' });
  const advanced = await rpc.call(GetWorkflowRunRpc, { runId });
  expect(advanced.steps.map((item) => [item.stepKey, item.status, item.exitCode])).toEqual([
    ['build', 'success', 0],
    ['test', 'ready', null],
  ]);
});

it('answers invalid requests with validation_failed naming the field, and deactivates nothing', async () => {
  const { rpc, admin, count } = agent();
  const repoId = (await insertRepository(admin)).id as number;
  const workflow = await rpc.call(UpsertWorkflowDefinitionRpc, definition(repoId, unique('kept-')));
  const activeBefore = await count('workflow_definitions', 'is_active');

  const failures = await Promise.all(
    [
      rpc.callUnchecked(GetWorkflowDefinitionRpc, { definitionId: 0 }),
      rpc.callUnchecked(ListWorkflowDefinitionsRpc, { repoId, includeInactive: 'yes' }),
      rpc.callUnchecked(DeactivateWorkflowDefinitionRpc, { definitionId: String(workflow.id) }),
      rpc.callUnchecked(DeactivateWorkflowDefinitionRpc, { definitionId: workflow.id, force: true }),
      rpc.callUnchecked(GetWorkflowRunRpc, { runId: -1 }),
      rpc.callUnchecked(ListWorkflowLogsRpc, { stepId: 1, afterSequence: -2, limit: 1001 }),
    ].map((call) => call.catch((error: unknown) => error)),
  );

  const fields = failures.map((failure) => {
    expect(failure).toMatchObject({ code: 'validation_failed' });
    return (failure as { details: { issues: { field: string }[] } }).details.issues.map((issue) => issue.field);
  });
  expect(fields).toEqual([
    ['definitionId'],
    ['includeInactive'],
    ['definitionId'],
    ['(input)'],
    ['runId'],
    ['afterSequence', 'limit'],
  ]);
  expect(await count('workflow_definitions', 'is_active')).toBe(activeBefore);
  expect(await rpc.call(GetWorkflowDefinitionRpc, { definitionId: workflow.id })).toMatchObject({ isActive: true });
});

it('answers unknown definitions, runs and steps with not_found and no stack trace', async () => {
  const { rpc } = agent();
  const missing = 987_654_321;
  const errors = await Promise.all(
    [
      rpc.call(GetWorkflowDefinitionRpc, { definitionId: missing }),
      rpc.call(DeactivateWorkflowDefinitionRpc, { definitionId: missing }),
      rpc.call(GetWorkflowRunRpc, { runId: missing }),
      rpc.call(ListWorkflowLogsRpc, { stepId: missing }),
    ].map((call) =>
      call.then(
        () => undefined,
        (error: unknown) => error,
      ),
    ),
  );
  expect(errors).toEqual([
    expect.objectContaining({ code: 'not_found', details: { field: 'definitionId' } }),
    expect.objectContaining({ code: 'not_found', details: { field: 'id' } }),
    expect.objectContaining({ code: 'not_found', details: { field: 'id' } }),
    expect.objectContaining({ code: 'not_found', details: { field: 'stepId' } }),
  ]);
  expect(JSON.stringify(errors.map((error) => (error as Error).message))).not.toMatch(/\bat .+\.js:\d+/);
});
