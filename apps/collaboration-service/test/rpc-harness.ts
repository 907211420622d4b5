import { connect, type NatsConnection } from '@nats-io/transport-node';
import { RpcCallError, RpcClient } from '@plue/service-kit';
import { startNatsServer, useTestDatabase, type NatsServer } from '@plue/testing';
import type { Client } from 'pg';
import { spawnService, waitUntilReady, type ServiceProcess } from './collaboration-service-process';

export interface CollaborationServiceHarness {
  /** Calls the service over NATS (`callUnchecked` sends requests the contract would refuse). */
  rpc: RpcClient;
  /** A superuser connection to the file's own database, to arrange rows and check what was written. */
  admin: Client;
  service: ServiceProcess;
  /** Rows of `table` (a fixed table name, never input). */
  count(table: string): Promise<number>;
}

/**
 * One built collaboration-service for a spec file, on the file's own database clone and its own
 * nats-server: registers the hooks and returns an accessor for use inside the tests.
 */
export function useCollaborationService(): () => CollaborationServiceHarness {
  const database = useTestDatabase();
  let nats: NatsServer | undefined;
  let service: ServiceProcess | undefined;
  let connection: NatsConnection | undefined;
  let harness: CollaborationServiceHarness | undefined;

  beforeAll(async () => {
    nats = await startNatsServer();
    service = spawnService({
      DATABASE_URL: database().urlFor('plue_collaboration'),
      NATS_URL: nats.url,
      HEALTH_PORT: '0',
      LOG_LEVEL: 'info',
    });
    await waitUntilReady(service);
    connection = await connect({ servers: nats.url });
    const admin = await database().connect();
    harness = {
      rpc: new RpcClient(connection),
      admin,
      service,
      count: async (table) => (await admin.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n as number,
    };
  });

  afterAll(async () => {
    if (service && service.child.exitCode === null) service.child.kill('SIGKILL');
    await connection?.close();
    await nats?.stop();
  });

  return () => {
    if (!harness) throw new Error('the collaboration-service harness is used outside a test');
    return harness;
  };
}

/** The structured error a call failed with; fails the test when the call succeeded. */
export async function failureOf(call: Promise<unknown>): Promise<RpcCallError> {
  const outcome = await call.then(
    (reply) => ({ reply }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`expected an RPC error, got ${JSON.stringify(outcome.reply)}`);
  if (!(outcome.error instanceof RpcCallError)) throw outcome.error;
  return outcome.error;
}
