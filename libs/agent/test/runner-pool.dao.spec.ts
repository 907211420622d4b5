import { ConflictError, MissingReferenceError, NotFoundError, ValidationError } from '@plue/db';
import { insertRepository, unique, useTestDatabase } from '@plue/testing';
import type { Client } from 'pg';
import type { DataSource } from 'typeorm';
import {
  RunnerPoolDao,
  WorkflowDefinitionsDao,
  WorkflowRunsDao,
  WorkflowStepsDao,
  type Runner,
  type WorkflowRun,
} from '../src';
import { contentHash, countAgentRows, openDataSource } from './fixtures';

describe('RunnerPoolDao', () => {
  const database = useTestDatabase();
  let dataSource: DataSource;
  let runners: RunnerPoolDao;
  let steps: WorkflowStepsDao;
  let runs: WorkflowRunsDao;
  let admin: Client;

  beforeAll(async () => {
    dataSource = await openDataSource(database());
    runners = new RunnerPoolDao(dataSource);
    steps = new WorkflowStepsDao(dataSource);
    runs = new WorkflowRunsDao(dataSource);
    admin = await database().connect();
  });
  afterAll(() => dataSource?.destroy());

  /** Claims pick from the whole database: retire the runners and steps of earlier tests. */
  beforeEach(async () => {
    await admin.query(`UPDATE runner_pool SET status = 'terminated', claimed_by_step_id = NULL, claimed_at = NULL`);
    await admin.query(
      `UPDATE workflow_steps SET status = 'cancelled', completed_at = now() WHERE status IN ('pending', 'ready', 'claimed', 'running')`,
    );
  });

  /** A run of `width` independent ready steps. */
  async function newRun(width: number): Promise<WorkflowRun> {
    const repo = await insertRepository(admin);
    const name = unique('wf-');
    const definition = await new WorkflowDefinitionsDao(dataSource).upsert({
      repoId: repo.id as number,
      name,
      filePath: `${name}.yml`,
      triggers: [{ event: 'manual' }],
      plan: {
        steps: Array.from({ length: width }, (_, i) => ({ id: `s${i}`, name: `S${i}`, type: 'shell', run: ['true'] })),
      },
      contentHash: contentHash(name),
    });
    return runs.createRun(definition, { type: 'manual' });
  }

  async function makeStale(runner: Runner, minutes: number): Promise<void> {
    await admin.query(`UPDATE runner_pool SET last_heartbeat = now() - make_interval(mins => $2) WHERE id = $1`, [
      runner.id,
      minutes,
    ]);
  }

  it('registers a pod, and re-registering the same pod updates it in place', async () => {
    const podName = unique('pod-');
    const first = await runners.register({ podName, podIp: '10.0.0.7', labels: ['linux'] });
    expect(first).toMatchObject({
      podName,
      podIp: '10.0.0.7',
      labels: ['linux'],
      status: 'available',
      claimedByStepId: null,
    });
    const again = await runners.register({ podName, podIp: 'fd00::7', labels: ['linux', 'gpu'] });
    expect(again).toMatchObject({ id: first.id, podIp: 'fd00::7', labels: ['linux', 'gpu'], status: 'available' });
  });

  it('never gives the same runner to two of 16 concurrent claimers', async () => {
    const run = await newRun(16);
    for (let i = 0; i < 10; i += 1) await runners.register({ podName: unique('pod-') });
    const claimers = await Promise.all(Array.from({ length: 16 }, () => openDataSource(database(), { poolSize: 1 })));
    try {
      const claimed = await Promise.all(
        claimers.map((claimer, i) => new RunnerPoolDao(claimer).claimAvailable(run.steps![i].id)),
      );
      const runnerIds = claimed.filter((runner): runner is Runner => runner !== null).map((runner) => runner.id);
      expect(runnerIds).toHaveLength(10);
      expect(new Set(runnerIds).size).toBe(10);
    } finally {
      await Promise.all(claimers.map((claimer) => claimer.destroy()));
    }
    const { rows } = await admin.query(
      `SELECT count(*)::int AS claimed FROM workflow_steps s JOIN runner_pool r ON r.claimed_by_step_id = s.id AND r.id = s.runner_id
        WHERE s.run_id = $1 AND s.status = 'claimed'`,
      [run.id],
    );
    expect(rows[0].claimed).toBe(10);
  });

  it('claims only runners with the required labels, and only for a ready step', async () => {
    const run = await newRun(2);
    await runners.register({ podName: unique('pod-'), labels: ['linux'] });
    const gpu = await runners.register({ podName: unique('pod-'), labels: ['linux', 'gpu'] });
    expect(await runners.claimAvailable(run.steps![0].id, { labels: ['gpu', 'arm64'] })).toBeNull();
    expect((await runners.claimAvailable(run.steps![0].id, { labels: ['gpu'] }))?.id).toBe(gpu.id);

    const before = await countAgentRows(admin);
    await expect(runners.claimAvailable(run.steps![0].id)).rejects.toThrow(ConflictError); // already claimed
    await expect(runners.claimAvailable(987_654_321)).rejects.toThrow(MissingReferenceError);
    expect(await countAgentRows(admin)).toEqual(before);
    expect((await runners.getById(gpu.id))?.claimedByStepId).toBe(run.steps![0].id);
  });

  it('releases a runner; a step it had not finished goes back to the queue', async () => {
    const run = await newRun(1);
    const runner = await runners.register({ podName: unique('pod-') });
    const step = await steps.claimNextReadyStep(runner.id);
    await steps.startStep(step!.id, runner.id);
    const released = await runners.release(runner.id);
    expect(released).toMatchObject({ status: 'available', claimedByStepId: null, claimedAt: null });
    expect(await steps.getById(step!.id)).toMatchObject({
      status: 'ready',
      runnerId: null,
      startedAt: null,
      attempt: 1,
    });
    expect((await runs.getById(run.id))?.status).toBe('running');
  });

  it('reaps runners with stale heartbeats and returns their steps to the queue', async () => {
    const run = await newRun(2);
    const [stale, healthy, idle] = [
      await runners.register({ podName: unique('pod-') }),
      await runners.register({ podName: unique('pod-') }),
      await runners.register({ podName: unique('pod-') }),
    ];
    const lost = await steps.claimNextReadyStep(stale.id);
    await steps.startStep(lost!.id, stale.id);
    const kept = await steps.claimNextReadyStep(healthy.id);
    await makeStale(stale, 10);
    await makeStale(idle, 10);
    await makeStale(healthy, 1);

    const reaped = await runners.reapStale(5 * 60);
    expect(reaped.runners.map((runner) => runner.id).sort()).toEqual([stale.id, idle.id].sort());
    expect(reaped.requeuedSteps.map((step) => [step.id, step.status])).toEqual([[lost!.id, 'ready']]);
    expect(await runners.getById(stale.id)).toMatchObject({ status: 'terminated', claimedByStepId: null });
    expect(await steps.getById(lost!.id)).toMatchObject({ status: 'ready', runnerId: null, attempt: 1 });
    expect(await steps.getById(kept!.id)).toMatchObject({ status: 'claimed', runnerId: healthy.id });

    // The stale runner's late report is refused; the step runs again elsewhere.
    await expect(steps.completeStep(lost!.id, stale.id, { status: 'success' })).rejects.toThrow(ConflictError);
    await expect(runners.heartbeat(stale.id)).rejects.toThrow(ConflictError);
    const retried = await steps.claimNextReadyStep(idle.id).catch((error: unknown) => error);
    expect(retried).toBeInstanceOf(ConflictError); // idle was terminated too
    const fresh = await runners.register({ podName: unique('pod-') });
    expect(await steps.claimNextReadyStep(fresh.id)).toMatchObject({ id: lost!.id, attempt: 2 });
    expect((await runs.getById(run.id))?.status).toBe('running');
  });

  it('lets concurrent sweeps (two service instances) reap each stale runner and requeue each step once', async () => {
    await newRun(4);
    const pool = [];
    for (let i = 0; i < 8; i += 1) pool.push(await runners.register({ podName: unique('pod-') }));
    const held = [];
    for (const runner of pool.slice(0, 4)) held.push(await steps.claimNextReadyStep(runner.id));
    for (const runner of pool) await makeStale(runner, 10);

    const sweeps = await Promise.all([runners.reapStale(60), runners.reapStale(60), runners.reapStale(60)]);
    const reapedIds = sweeps.flatMap((sweep) => sweep.runners.map((runner) => runner.id));
    const requeuedIds = sweeps.flatMap((sweep) => sweep.requeuedSteps.map((step) => step.id));
    expect(reapedIds.sort()).toEqual(pool.map((runner) => runner.id).sort());
    expect(requeuedIds.sort()).toEqual(held.map((step) => step!.id).sort());
    expect((await runners.reapStale(60)).runners).toEqual([]);
  });

  it('cancels instead of requeueing the steps of a run that is no longer active', async () => {
    const run = await newRun(1);
    const runner = await runners.register({ podName: unique('pod-') });
    const step = await steps.claimNextReadyStep(runner.id);
    await runs.cancel(run.id);
    await makeStale(runner, 10);
    const reaped = await runners.reapStale(60);
    expect(reaped.requeuedSteps.map((requeued) => [requeued.id, requeued.status])).toEqual([[step!.id, 'cancelled']]);
  });

  it('requeues what a restarted pod held when it registers again', async () => {
    await newRun(1);
    const podName = unique('pod-');
    const runner = await runners.register({ podName });
    const step = await steps.claimNextReadyStep(runner.id);
    const restarted = await runners.register({ podName });
    expect(restarted).toMatchObject({ id: runner.id, status: 'available', claimedByStepId: null });
    expect((await steps.getById(step!.id))?.status).toBe('ready');
  });

  it('records heartbeats', async () => {
    const runner = await runners.register({ podName: unique('pod-') });
    await makeStale(runner, 10);
    const beat = await runners.heartbeat(runner.id);
    expect(Date.now() - beat.lastHeartbeat.getTime()).toBeLessThan(60_000);
    expect((await runners.reapStale(60)).runners).toEqual([]);
    await expect(runners.heartbeat(123_456_789)).rejects.toThrow(NotFoundError);
  });

  it('refuses bad input before SQL and writes nothing', async () => {
    const before = await countAgentRows(admin);
    await expect(runners.register({ podName: '' })).rejects.toThrow(ValidationError);
    await expect(runners.register({ podName: 'x'.repeat(254) })).rejects.toThrow(ValidationError);
    await expect(runners.register({ podName: unique('pod-'), podIp: '10.0.0.300' })).rejects.toThrow(ValidationError);
    await expect(runners.register({ podName: unique('pod-'), labels: [''] })).rejects.toThrow(ValidationError);
    await expect(runners.reapStale(0)).rejects.toThrow(ValidationError);
    expect(await countAgentRows(admin)).toEqual(before);
  });
});
