import type { NatsConnection } from '@nats-io/transport-node';
import { ListRepositoriesRpc } from '@plue/contracts';
import { RpcClient } from '@plue/service-kit';
import {
  eventually,
  handledPerInstance,
  type ServiceProcess,
  insertRepository,
  insertWorkflowDefinition,
  insertWorkflowRun,
} from '@plue/testing';
import type { Client } from 'pg';
import { publishRunsCompleted } from './agent-events';
import { useGitService } from './service-under-test';

const service = useGitService({ LOG_LEVEL: 'debug' }, 2);
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
    Array.from({ length: requests }, () => rpc.call(ListRepositoriesRpc, { ownerId: repository.user_id as number })),
  );

  expect(replies.every((reply) => reply.items.length === 1)).toBe(true);
  // Log lines reach this process through pipes, a little after the replies.
  const handled = await eventually(async () => {
    const counts = handledPerInstance(instances, ListRepositoriesRpc.pattern);
    return counts[0] + counts[1] === requests ? counts : undefined;
  });
  expect(handled.every((count) => count > 0)).toBe(true);
});

it('handles every event once across both instances (one durable consumer, one inbox)', async () => {
  const repository = await insertRepository(admin);
  const definition = await insertWorkflowDefinition(admin, repository);
  const runs = await Promise.all(Array.from({ length: 12 }, () => insertWorkflowRun(admin, definition)));
  const headCommitSha = (index: number) => index.toString(16).padStart(40, 'e');

  await publishRunsCompleted(
    service().database.url,
    connection,
    runs.map((run, index) => ({
      workflowRunId: run.id as number,
      repoId: repository.id as number,
      definitionId: definition.id as number,
      runNumber: index + 1,
      status: 'success',
      ref: 'main',
      headCommitSha: headCommitSha(index),
      completedAt: new Date().toISOString(),
    })),
  );

  await eventually(async () => {
    const { rows } = await admin.query('SELECT count(*)::int AS n FROM commit_statuses WHERE repo_id = $1', [
      repository.id,
    ]);
    return rows[0].n === runs.length ? true : undefined;
  });
  const handled = await eventually(async () => {
    const counts = handledPerInstance(instances, 'plue.agent.workflow_run.completed');
    return counts[0] + counts[1] === runs.length ? counts : undefined;
  });
  const { rows: inbox } = await admin.query(
    `SELECT count(*)::int AS n FROM git.inbox WHERE consumer = 'git--plue_agent_workflow_run_completed'`,
  );
  expect(inbox[0].n).toBe(runs.length);
  // Which instance pulls which event is JetStream's choice; only the total is a guarantee.
  expect(handled[0] + handled[1]).toBe(runs.length);
});
