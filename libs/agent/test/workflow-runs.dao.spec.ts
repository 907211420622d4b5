import { ConflictError, NotFoundError, ValidationError } from '@plue/db';
import { insertRepository, insertWorkflowDefinition, unique, useTestDatabase } from '@plue/testing';
import type { Client } from 'pg';
import type { DataSource } from 'typeorm';
import {
  RunnerPoolDao,
  WorkflowDefinitionsDao,
  WorkflowRunsDao,
  WorkflowStepsDao,
  type WorkflowDefinition,
  type WorkflowRun,
  type WorkflowStep,
} from '../src';
import { contentHash, countAgentRows, DIAMOND_PLAN, openDataSource } from './fixtures';

describe('WorkflowRunsDao and WorkflowStepsDao', () => {
  const database = useTestDatabase();
  let dataSource: DataSource;
  let definitions: WorkflowDefinitionsDao;
  let runs: WorkflowRunsDao;
  let steps: WorkflowStepsDao;
  let runners: RunnerPoolDao;
  let admin: Client;

  beforeAll(async () => {
    dataSource = await openDataSource(database());
    definitions = new WorkflowDefinitionsDao(dataSource);
    runs = new WorkflowRunsDao(dataSource);
    steps = new WorkflowStepsDao(dataSource);
    runners = new RunnerPoolDao(dataSource);
    admin = await database().connect();
  });
  afterAll(() => dataSource?.destroy());

  async function newDefinition(plan: unknown = DIAMOND_PLAN, name = unique('wf-')): Promise<WorkflowDefinition> {
    const repo = await insertRepository(admin);
    return definitions.upsert({
      repoId: repo.id as number,
      name,
      filePath: `.plue/workflows/${name}.yml`,
      triggers: [{ event: 'push' }],
      plan,
      contentHash: contentHash(name),
    });
  }

  async function newRunner(): Promise<number> {
    return (await runners.register({ podName: unique('pod-') })).id;
  }

  /** Claims, starts and completes the next ready step on the given runner. */
  async function runNextStep(runnerId: number, status: 'success' | 'failure' = 'success') {
    const claimed = await steps.claimNextReadyStep(runnerId);
    if (!claimed) throw new Error('no step was ready');
    await steps.startStep(claimed.id, runnerId);
    return steps.completeStep(claimed.id, runnerId, { status, exitCode: status === 'success' ? 0 : 1 });
  }

  const statusByKey = (list: WorkflowStep[]) => Object.fromEntries(list.map((step) => [step.stepKey, step.status]));

  /** Claims pick from the whole database: retire the unfinished steps of earlier tests. */
  beforeEach(async () => {
    await admin.query(
      `UPDATE workflow_steps SET status = 'cancelled', completed_at = now() WHERE status IN ('pending', 'ready')`,
    );
  });

  it('creates a run and all the steps of its plan in one transaction, numbered per definition', async () => {
    const definition = await newDefinition();
    const run = await runs.createRun(definition, {
      type: 'push',
      ref: 'main',
      headCommitId: 'a'.repeat(40),
      payload: { pusher: 'alice' },
    });
    expect(run).toMatchObject({
      repoId: definition.repoId,
      definitionId: definition.id,
      runNumber: 1,
      triggerType: 'push',
      triggerPayload: { pusher: 'alice' },
      status: 'queued',
      startedAt: null,
      completedAt: null,
    });
    expect(run.steps?.map((step) => [step.stepKey, step.status, step.dependsOn])).toEqual([
      ['build', 'ready', []],
      ['test', 'pending', ['build']],
      ['lint', 'pending', ['build']],
      ['deploy', 'pending', ['test', 'lint']],
    ]);
    expect(run.steps?.[0]).toMatchObject({ type: 'shell', config: { run: ['npm', 'run', 'build'] }, attempt: 0 });
    expect(run.steps?.[3]).toMatchObject({ type: 'agent', config: { prompt: 'Deploy it' } });

    const second = await runs.createRun({ id: definition.id }, { type: 'manual' });
    expect(second.runNumber).toBe(2);
    const other = await runs.createRun(await newDefinition(), { type: 'manual' });
    expect(other.runNumber).toBe(1);
  });

  it('allocates run numbers without gaps or duplicates under concurrent creation', async () => {
    const definition = await newDefinition();
    const creators = await Promise.all([1, 2, 3, 4].map(() => openDataSource(database(), { poolSize: 3 })));
    try {
      const created = await Promise.all(
        creators.flatMap((creator) =>
          [1, 2, 3].map(() => new WorkflowRunsDao(creator).createRun(definition, { type: 'manual' })),
        ),
      );
      expect(created.map((run) => run.runNumber).sort((a, b) => a - b)).toEqual([
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
      ]);
    } finally {
      await Promise.all(creators.map((creator) => creator.destroy()));
    }
  });

  it('writes nothing and burns no run number when the stored plan is not a valid DAG', async () => {
    const repo = await insertRepository(admin);
    const stored = await insertWorkflowDefinition(admin, repo, { plan: JSON.stringify({ steps: [] }) });
    const before = await countAgentRows(admin);
    await expect(runs.createRun({ id: stored.id as number }, { type: 'manual' })).rejects.toThrow(ValidationError);
    expect(await countAgentRows(admin)).toEqual(before);

    await admin.query('UPDATE workflow_definitions SET plan = $2 WHERE id = $1', [
      stored.id,
      JSON.stringify(DIAMOND_PLAN),
    ]);
    expect((await runs.createRun({ id: stored.id as number }, { type: 'manual' })).runNumber).toBe(1);
  });

  it('refuses deactivated and unknown definitions and bad triggers, writing nothing', async () => {
    const definition = await newDefinition();
    await definitions.deactivate(definition.id);
    const before = await countAgentRows(admin);
    await expect(runs.createRun(definition, { type: 'push' })).rejects.toThrow(ConflictError);
    await expect(runs.createRun({ id: 12_345_678 }, { type: 'push' })).rejects.toThrow(NotFoundError);
    await expect(runs.createRun(definition, { type: 'deploy' as never })).rejects.toThrow(ValidationError);
    await expect(runs.createRun(definition, { type: 'push', headCommitId: 'HEAD' })).rejects.toThrow(ValidationError);
    expect(await countAgentRows(admin)).toEqual(before);
  });

  it('runs a diamond to success: steps become ready only when all their dependencies succeeded', async () => {
    const run = await runs.createRun(await newDefinition(), { type: 'manual' });
    const [first, second] = [await newRunner(), await newRunner()];

    const build = await steps.claimNextReadyStep(first);
    expect(build).toMatchObject({ stepKey: 'build', status: 'claimed', runnerId: first, attempt: 1 });
    expect(await steps.claimNextReadyStep(second)).toBeNull(); // test and lint wait for build
    expect((await runners.getById(first))?.status).toBe('claimed');

    expect((await steps.startStep(build!.id, first)).status).toBe('running');
    expect((await runs.getById(run.id))?.status).toBe('running');
    const afterBuild = await steps.completeStep(build!.id, first, {
      status: 'success',
      exitCode: 0,
      output: { artifacts: 1 },
    });
    expect(afterBuild.step).toMatchObject({ status: 'success', exitCode: 0, output: { artifacts: 1 } });
    expect((await runners.getById(first))?.status).toBe('available');
    expect(statusByKey(await steps.listForRun(run.id))).toEqual({
      build: 'success',
      test: 'ready',
      lint: 'ready',
      deploy: 'pending',
    });

    const test = await steps.claimNextReadyStep(first);
    const lint = await steps.claimNextReadyStep(second);
    expect([test?.stepKey, lint?.stepKey].sort()).toEqual(['lint', 'test']);
    await steps.startStep(test!.id, first);
    await steps.startStep(lint!.id, second);
    await steps.completeStep(test!.id, first, { status: 'success' });
    expect(statusByKey(await steps.listForRun(run.id)).deploy).toBe('pending'); // lint still running
    const afterLint = await steps.completeStep(lint!.id, second, { status: 'success' });
    expect(afterLint.run.status).toBe('running');

    const finished = await runNextStep(first);
    expect(finished.step.stepKey).toBe('deploy');
    expect(finished.run.status).toBe('success');
    expect(finished.run.completedAt).toBeInstanceOf(Date);
    expect(finished.run.startedAt).toBeInstanceOf(Date);
  });

  it('skips the dependents of a failed step, lets independent steps finish, and fails the run', async () => {
    const plan = {
      steps: [
        { id: 'build', name: 'Build', type: 'shell', run: ['make'] },
        { id: 'test', name: 'Test', type: 'shell', run: ['make', 'test'], depends_on: ['build'] },
        { id: 'package', name: 'Package', type: 'shell', run: ['make', 'dist'], depends_on: ['test'] },
        { id: 'publish', name: 'Publish', type: 'shell', run: ['make', 'publish'], depends_on: ['package'] },
        { id: 'docs', name: 'Docs', type: 'shell', run: ['make', 'docs'], depends_on: ['build'] },
      ],
    };
    const run = await runs.createRun(await newDefinition(plan), { type: 'manual' });
    const runner = await newRunner();
    await runNextStep(runner); // build
    const test = await steps.claimNextReadyStep(runner);
    expect(test?.stepKey).toBe('test');
    await steps.startStep(test!.id, runner);
    const afterFailure = await steps.completeStep(test!.id, runner, {
      status: 'failure',
      exitCode: 2,
      error: 'tests failed',
    });
    expect(afterFailure.run.status).toBe('running'); // docs has yet to run
    expect(statusByKey(await steps.listForRun(run.id))).toEqual({
      build: 'success',
      test: 'failure',
      package: 'skipped',
      publish: 'skipped',
      docs: 'ready',
    });
    const last = await runNextStep(runner);
    expect(last.step.stepKey).toBe('docs');
    expect(last.run.status).toBe('failure');
    expect(last.run.completedAt).toBeInstanceOf(Date);
  });

  it('completes the run exactly once when its last two steps finish at the same moment', async () => {
    const plan = {
      steps: [
        { id: 'left', name: 'Left', type: 'shell', run: ['true'] },
        { id: 'right', name: 'Right', type: 'shell', run: ['true'] },
      ],
    };
    const definition = await newDefinition(plan);
    const reporters = await Promise.all([1, 2].map(() => openDataSource(database(), { poolSize: 2 })));
    try {
      for (let round = 0; round < 5; round += 1) {
        const run = await runs.createRun(definition, { type: 'manual' });
        const pair = [await newRunner(), await newRunner()];
        const claimed = [await steps.claimNextReadyStep(pair[0]), await steps.claimNextReadyStep(pair[1])];
        for (const [index, step] of claimed.entries()) await steps.startStep(step!.id, pair[index]);
        await Promise.all(
          claimed.map((step, index) =>
            new WorkflowStepsDao(reporters[index]).completeStep(step!.id, pair[index], { status: 'success' }),
          ),
        );
        expect((await runs.getById(run.id))?.status).toBe('success');
      }
    } finally {
      await Promise.all(reporters.map((reporter) => reporter.destroy()));
    }
  });

  it('never hands the same step to two concurrent claimers', async () => {
    const wide = {
      steps: Array.from({ length: 6 }, (_, i) => ({ id: `s${i}`, name: `S${i}`, type: 'shell', run: ['true'] })),
    };
    await runs.createRun(await newDefinition(wide), { type: 'manual' });
    const claimers = await Promise.all(Array.from({ length: 10 }, () => openDataSource(database(), { poolSize: 1 })));
    try {
      const runnerIds = await Promise.all(claimers.map(() => newRunner()));
      const claimed = await Promise.all(
        claimers.map((claimer, i) => new WorkflowStepsDao(claimer).claimNextReadyStep(runnerIds[i])),
      );
      const stepIds = claimed.filter((step): step is WorkflowStep => step !== null).map((step) => step.id);
      expect(stepIds).toHaveLength(6);
      expect(new Set(stepIds).size).toBe(6);
    } finally {
      await Promise.all(claimers.map((claimer) => claimer.destroy()));
    }
  });

  it('refuses step transitions by the wrong runner or out of order', async () => {
    await runs.createRun(await newDefinition(), { type: 'manual' });
    const [owner, intruder] = [await newRunner(), await newRunner()];
    const build = await steps.claimNextReadyStep(owner);
    await expect(steps.completeStep(build!.id, owner, { status: 'success' })).rejects.toThrow(ConflictError); // not started
    await expect(steps.startStep(build!.id, intruder)).rejects.toThrow(ConflictError);
    await steps.startStep(build!.id, owner);
    await expect(steps.completeStep(build!.id, intruder, { status: 'success' })).rejects.toThrow(ConflictError);
    await expect(steps.claimNextReadyStep(owner)).rejects.toThrow(ConflictError); // busy runner
    await expect(steps.completeStep(build!.id, owner, { status: 'skipped' as never })).rejects.toThrow(ValidationError);
    expect((await steps.getById(build!.id))?.status).toBe('running');
  });

  it('cancels a run: no further step is handed out, and a claimed step is not started', async () => {
    const run = await runs.createRun(await newDefinition(), { type: 'manual' });
    const runner = await newRunner();
    const build = await steps.claimNextReadyStep(runner);
    const cancelled = await runs.cancel(run.id);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.completedAt).toBeInstanceOf(Date);
    expect(statusByKey(await steps.listForRun(run.id))).toEqual({
      build: 'claimed',
      test: 'cancelled',
      lint: 'cancelled',
      deploy: 'cancelled',
    });

    const refused = await steps.startStep(build!.id, runner);
    expect(refused.status).toBe('cancelled');
    expect((await runners.getById(runner))?.status).toBe('available');
    expect(await steps.claimNextReadyStep(runner)).toBeNull();
    await expect(runs.cancel(run.id)).rejects.toThrow(ConflictError);
    await expect(runs.cancel(31_337_000)).rejects.toThrow(NotFoundError);
  });

  it('does not hand out a ready step whose run is no longer active', async () => {
    const run = await runs.createRun(await newDefinition(), { type: 'manual' });
    // The moment between a run being cancelled and its ready steps being cancelled.
    await admin.query(`UPDATE workflow_runs SET status = 'cancelled', completed_at = now() WHERE id = $1`, [run.id]);
    expect(await steps.claimNextReadyStep(await newRunner())).toBeNull();
    expect(statusByKey((await runs.getWithSteps(run.id)).steps ?? []).build).toBe('ready');
  });

  it("returns a repository's recent runs with their workflow name, newest first (the seed's query)", async () => {
    const definition = await newDefinition(DIAMOND_PLAN, 'Continuous integration');
    const created: WorkflowRun[] = [];
    for (let i = 0; i < 3; i += 1) created.push(await runs.createRun(definition, { type: 'manual' }));
    await admin.query(
      `UPDATE workflow_runs SET created_at = created_at - make_interval(mins => run_number::int) WHERE definition_id = $1`,
      [definition.id],
    );
    await runs.createRun(await newDefinition(), { type: 'manual' }); // another repository

    const recent = await runs.recentRuns(definition.repoId);
    expect(recent.map((run) => [run.runNumber, run.workflowName])).toEqual([
      [1, 'Continuous integration'],
      [2, 'Continuous integration'],
      [3, 'Continuous integration'],
    ]);
    expect(recent[0]).toMatchObject({ id: created[0].id, definitionId: definition.id, status: 'queued' });
    expect(await runs.recentRuns(definition.repoId, 2)).toHaveLength(2);
    await expect(runs.recentRuns(definition.repoId, 0)).rejects.toThrow(ValidationError);
  });
});
