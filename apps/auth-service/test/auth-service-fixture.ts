import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { AnyRpcContract } from '@plue/contracts';
import { RpcCallError, RpcClient } from '@plue/service-kit';
import { startNatsServer, useTestDatabase, type NatsServer } from '@plue/testing';
import type { Client } from 'pg';
import { spawnService, waitUntilReady, type ServiceProcess } from './auth-service-process';

export interface AuthServiceFixture {
  rpc: RpcClient;
  /** A superuser connection to the spec's database, for setting up rows and checking what was written. */
  admin: Client;
  service: ServiceProcess;
}

/**
 * One built auth-service (as `plue_auth`) on its own nats-server and database clone for the whole
 * spec file: beforeAll starts them, afterAll stops them.
 */
export function useAuthService(): () => AuthServiceFixture {
  const database = useTestDatabase();
  let nats: NatsServer;
  let connection: NatsConnection;
  let fixture: AuthServiceFixture;

  beforeAll(async () => {
    nats = await startNatsServer();
    const service = spawnService({
      DATABASE_URL: database().urlFor('plue_auth'),
      NATS_URL: nats.url,
      HEALTH_PORT: '0',
      // debug logs every handled message: the specs check that no secret reaches the logs.
      LOG_LEVEL: 'debug',
    });
    await waitUntilReady(service);
    connection = await connect({ servers: nats.url });
    fixture = { rpc: new RpcClient(connection), admin: await database().connect(), service };
  });

  afterAll(async () => {
    if (fixture?.service.child.exitCode === null) fixture.service.child.kill('SIGKILL');
    await connection?.close();
    await nats?.stop();
  });

  return () => fixture;
}

/** The rows of `table` (a fixed name from the test itself, never input). */
export async function countRows(admin: Client, table: string, where = 'true', values: unknown[] = []): Promise<number> {
  const { rows } = await admin.query(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`, values);
  return rows[0].n;
}

/** The RpcCallError a call fails with (the test fails if it succeeds), sent without the client's own checks. */
export async function rpcFailure(rpc: RpcClient, contract: AnyRpcContract, request: unknown): Promise<RpcCallError> {
  const outcome = await rpc.callUnchecked(contract, request).then(
    (reply) => ({ reply }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`${contract.pattern} succeeded: ${JSON.stringify(outcome.reply)}`);
  if (!(outcome.error instanceof RpcCallError)) throw outcome.error;
  return outcome.error;
}
