import type { NatsConnection } from '@nats-io/transport-node';
import { DEFAULT_LABELS } from '@plue/collaboration';
import { ListIssuesRpc } from '@plue/contracts';
import { RpcClient } from '@plue/service-kit';
import { eventually, handledPerInstance, type ServiceProcess, insertIssue, insertRepository } from '@plue/testing';
import type { Client } from 'pg';
import { useCollaborationService } from './service-under-test';
import { publishRepositoriesCreated } from './git-events';

const service = useCollaborationService({ LOG_LEVEL: 'debug' }, 2);
let instances: ServiceProcess[];
let connection: NatsConnection;
let admin: Client;

beforeAll(() => {
  ({ services: instances, nats: connection, admin } = service());
});

it('splits requests between two instances (one queue group), each request answered once', async () => {
  const rpc = new RpcClient(connection);
  const repository = await insertRepository(admin);
  await insertIssue(admin, repository);
  const requests = 40;

  const replies = await Promise.all(
    Array.from({ length: requests }, () => rpc.call(ListIssuesRpc, { repoId: repository.id as number })),
  );

  expect(replies.every((reply) => reply.items.length === 1)).toBe(true);
  // Log lines reach this process through pipes, a little after the replies.
  const handled = await eventually(async () => {
    const counts = handledPerInstance(instances, ListIssuesRpc.pattern);
    return counts[0] + counts[1] === requests ? counts : undefined;
  });
  expect(handled.every((count) => count > 0)).toBe(true);
});

it('handles every event once across both instances (one durable consumer, one inbox)', async () => {
  const repositories = await Promise.all(Array.from({ length: 12 }, () => insertRepository(admin)));
  const ids = repositories.map((repository) => repository.id as number);

  await publishRepositoriesCreated(
    service().database.url,
    connection,
    repositories.map((repository) => ({
      repoId: repository.id as number,
      ownerId: repository.user_id as number,
      name: String(repository.name),
      defaultBranch: 'main',
      isPublic: true,
    })),
  );

  await eventually(async () => {
    const { rows } = await admin.query('SELECT count(*)::int AS n FROM labels WHERE repo_id = ANY($1::bigint[])', [
      ids,
    ]);
    return rows[0].n === ids.length * DEFAULT_LABELS.length ? true : undefined;
  });
  const handled = await eventually(async () => {
    const counts = handledPerInstance(instances, 'plue.git.repository.created');
    return counts[0] + counts[1] === ids.length ? counts : undefined;
  });
  const { rows: inbox } = await admin.query(
    `SELECT count(*)::int AS n FROM collaboration.inbox WHERE consumer = 'collaboration--plue_git_repository_created'`,
  );
  expect(inbox[0].n).toBe(ids.length);
  // Which instance pulls which event is JetStream's choice; only the total is a guarantee.
  expect(handled[0] + handled[1]).toBe(ids.length);
});
