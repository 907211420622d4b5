import type { NatsConnection } from '@nats-io/transport-node';
import { ListRecentWorkflowRunsRpc, RegisterRunnerRpc, UpsertWorkflowDefinitionRpc } from '@plue/contracts';
import { RpcClient } from '@plue/service-kit';
import { eventually, handledPerInstance, type ServiceProcess, insertRepository, unique } from '@plue/testing';
import { createHash } from 'node:crypto';
import type { Client } from 'pg';
import { useAgentService } from './service-under-test';
import { publishBranchesPushed } from './outbox-events';

const service = useAgentService(
  {
    LOG_LEVEL: 'debug',
    // Both instances sweep often, so that their sweeps meet (the heartbeat timeout keeps its default).
    RUNNER_REAP_INTERVAL_SECONDS: '0.2',
  },
  2,
);
let instances: ServiceProcess[];
let connection: NatsConnection;
let admin: Client;

beforeAll(() => {
  ({ services: instances, nats: connection, admin } = service());
});

it('splits requests between two instances (one queue group), each request answered once', async () => {
  const rpc = new RpcClient(connection);
  const repository = await insertRepository(admin);
  const requests = 40;

  const replies = await Promise.all(
    Array.from({ length: requests }, () => rpc.call(ListRecentWorkflowRunsRpc, { repoId: repository.id as number })),
  );

  expect(replies.every((reply) => reply.items.length === 0)).toBe(true);
  const handled = await eventually(async () => {
    const counts = handledPerInstance(instances, ListRecentWorkflowRunsRpc.pattern);
    return counts[0] + counts[1] === requests ? counts : undefined;
  });
  expect(handled.every((count) => count > 0)).toBe(true);
});

it('handles every push once across both instances: one run per push, with its steps', async () => {
  const rpc = new RpcClient(connection);
  const repositories: Awaited<ReturnType<typeof insertRepository>>[] = [];
  for (let index = 0; index < 12; index += 1) repositories.push(await insertRepository(admin));
  for (const repository of repositories) {
    await rpc.call(UpsertWorkflowDefinitionRpc, {
      repoId: repository.id as number,
      name: 'ci',
      filePath: '.plue/workflows/ci.yml',
      triggers: [{ event: 'push', branches: ['main'] }],
      plan: { steps: [{ id: 'test', name: 'Test', type: 'shell', run: ['npm', 'test'] }] },
      contentHash: createHash('sha256').update(String(repository.id)).digest('hex'),
    });
  }
  const ids = repositories.map((repository) => repository.id as number);

  await publishBranchesPushed(
    service().database.url,
    connection,
    repositories.map((repository) => ({
      repoId: repository.id as number,
      branch: 'main',
      ref: 'refs/heads/main',
      beforeCommitSha: null,
      headCommitSha: createHash('sha1').update(unique('head')).digest('hex'),
      pusherId: repository.user_id as number,
      forced: false,
    })),
  );

  // The inbox rows commit with the runs; the `message handled` log line comes just before that commit.
  await eventually(async () => {
    const { rows: inbox } = await admin.query(
      `SELECT count(*)::int AS n FROM agent.inbox WHERE consumer = 'agent--plue_git_branch_pushed'`,
    );
    return inbox[0].n === ids.length ? true : undefined;
  });
  const handled = await eventually(async () => {
    const counts = handledPerInstance(instances, 'plue.git.branch.pushed');
    return counts[0] + counts[1] === ids.length ? counts : undefined;
  });
  const { rows } = await admin.query(
    `SELECT count(DISTINCT r.id)::int AS runs, count(s.id)::int AS steps
       FROM workflow_runs r JOIN workflow_steps s ON s.run_id = r.id WHERE r.repo_id = ANY($1::bigint[])`,
    [ids],
  );
  expect(rows[0]).toEqual({ runs: ids.length, steps: ids.length });
  // Which instance pulls which event is JetStream's choice; only the total is a guarantee.
  expect(handled[0] + handled[1]).toBe(ids.length);
});

it('reaps each stale runner once although both instances sweep', async () => {
  const rpc = new RpcClient(connection);
  const runners = [];
  for (let index = 0; index < 10; index += 1) {
    runners.push(await rpc.call(RegisterRunnerRpc, { podName: unique('scale-pod-') }));
  }
  const ids = runners.map((runner) => runner.id);
  // All stale at once (past the default 60 s timeout): the next sweeps of both instances race for them.
  await admin.query(`UPDATE runner_pool SET last_heartbeat = now() - interval '10 minutes' WHERE id = ANY ($1)`, [ids]);

  await eventually(async () => {
    const { rows } = await admin.query(
      `SELECT count(*)::int AS n FROM runner_pool WHERE id = ANY ($1) AND status = 'terminated'`,
      [ids],
    );
    return rows[0].n === ids.length ? true : undefined;
  });
  const reaped = await eventually(async () => {
    const logged = instances.flatMap((instance) =>
      instance.logs
        .filter((line) => line.msg === 'stale runners terminated')
        .flatMap((line) => line.runnerIds as number[]),
    );
    return logged.length >= ids.length ? logged : undefined;
  });
  expect(reaped.sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b));
});
