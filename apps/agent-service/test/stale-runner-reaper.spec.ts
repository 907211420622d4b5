import {
  ClaimWorkflowStepRpc,
  CompleteWorkflowStepRpc,
  RegisterRunnerRpc,
  RunnerHeartbeatRpc,
  UpsertWorkflowDefinitionRpc,
} from '@plue/contracts';
import { insertRepository, unique } from '@plue/testing';
import { createHash } from 'node:crypto';
import { eventually } from './agent-service-process';
import { publishBranchesPushed } from './outbox-events';
import { useAgentService } from './service-under-test';

// The reaper with a short heartbeat timeout: a runner that stops heartbeating mid-step is
// terminated and its step goes to another runner.

const HEARTBEAT_TIMEOUT_SECONDS = 2;

const agent = useAgentService({
  RUNNER_HEARTBEAT_TIMEOUT_SECONDS: String(HEARTBEAT_TIMEOUT_SECONDS),
  RUNNER_REAP_INTERVAL_SECONDS: '0.2',
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it('terminates a runner that stopped heartbeating and hands its step to another runner', async () => {
  const { rpc, admin, nats: connection, service, database } = agent();
  const repository = await insertRepository(admin);
  const repoId = repository.id as number;
  await rpc.call(UpsertWorkflowDefinitionRpc, {
    repoId,
    name: 'build',
    filePath: '.plue/workflows/build.yml',
    triggers: [{ event: 'push' }],
    plan: { steps: [{ id: 'build', name: 'Build', type: 'shell', run: ['make'] }] },
    contentHash: createHash('sha256').update('build').digest('hex'),
  });
  await publishBranchesPushed(database.url, connection, [
    {
      repoId,
      branch: 'main',
      ref: 'refs/heads/main',
      beforeCommitSha: null,
      headCommitSha: createHash('sha1').update(unique('main')).digest('hex'),
      pusherId: repository.user_id as number,
      forced: false,
    },
  ]);

  const vanishing = await rpc.call(RegisterRunnerRpc, { podName: unique('vanishing-') });
  const { step: lost } = await eventually(async () => {
    const claimed = await rpc.call(ClaimWorkflowStepRpc, { runnerId: vanishing.id });
    return claimed.step ? claimed : undefined;
  });
  expect(lost).toMatchObject({ stepKey: 'build', status: 'running', runnerId: vanishing.id, attempt: 1 });

  // The healthy runner polls for work (each empty claim is a heartbeat) until the lost step reaches it.
  const healthy = await rpc.call(RegisterRunnerRpc, { podName: unique('healthy-') });
  let retried = null;
  const deadline = Date.now() + 30_000;
  while (!retried && Date.now() < deadline) {
    retried = (await rpc.call(ClaimWorkflowStepRpc, { runnerId: healthy.id })).step;
    if (!retried) await sleep(200);
  }
  expect(retried).toMatchObject({ id: lost!.id, status: 'running', runnerId: healthy.id, attempt: 2 });

  // The vanished runner is terminated: its heartbeat and its late result are refused.
  const heartbeat = await rpc.call(RunnerHeartbeatRpc, { runnerId: vanishing.id }).catch((error: unknown) => error);
  expect(heartbeat).toMatchObject({ code: 'conflict' });
  const late = await rpc
    .call(CompleteWorkflowStepRpc, { runnerId: vanishing.id, stepId: lost!.id, status: 'success' })
    .catch((error: unknown) => error);
  expect(late).toMatchObject({ code: 'conflict' });
  const done = await rpc.call(CompleteWorkflowStepRpc, { runnerId: healthy.id, stepId: lost!.id, status: 'success' });
  expect(done).toMatchObject({ step: { status: 'success', attempt: 2 }, run: { status: 'success' } });

  const reaped = service.logs.filter((line) => line.msg === 'stale runners terminated');
  expect(reaped.flatMap((line) => line.runnerIds as number[])).toEqual([vanishing.id]);
  expect(reaped.flatMap((line) => line.requeuedStepIds as number[])).toEqual([lost!.id]);
  const { rows } = await admin.query('SELECT id::int, status FROM runner_pool ORDER BY id');
  expect(rows).toEqual([
    { id: vanishing.id, status: 'terminated' },
    { id: healthy.id, status: 'available' },
  ]);
});

it('stops sweeping on SIGTERM and exits 0 at once', async () => {
  const { service } = agent();
  const stopping = Date.now();
  service.child.kill('SIGTERM');
  expect(await service.exited).toBe(0);
  expect(Date.now() - stopping).toBeLessThan(10_000);
  expect(service.logs.filter((line) => line.level === 'error' || line.level === 'fatal')).toEqual([]);
});
