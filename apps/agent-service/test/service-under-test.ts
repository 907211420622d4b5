import { connect, type NatsConnection } from '@nats-io/transport-node';
import { RpcClient } from '@plue/service-kit';
import { startNatsServer, useTestDatabase, type NatsServer } from '@plue/testing';
import type { Client } from 'pg';
import { spawnService, waitUntilReady, type ServiceProcess } from './agent-service-process';

/** Starting a service takes seconds alone, and much longer on a machine busy with other test runs. */
const STARTUP_TIMEOUT_MS = 90_000;

export interface ServiceUnderTest {
  /** Calls the service's patterns over NATS. */
  rpc: RpcClient;
  /** A superuser connection to the file's database, to set up rows and count them. */
  admin: Client;
  /** Row count of a table (schema-qualified names allowed). */
  count(table: string, where?: string, values?: unknown[]): Promise<number>;
  /** Row counts of the tables, one query after the other (one client). */
  counts(tables: string[]): Promise<number[]>;
}

/**
 * One built agent-service (as `plue_agent`) and one nats-server for the spec file that calls this at
 * its top level: started before its tests, stopped after them.
 */
export function useAgentService(): () => ServiceUnderTest {
  const database = useTestDatabase();
  let nats: NatsServer;
  let service: ServiceProcess;
  let connection: NatsConnection;
  let current: ServiceUnderTest | undefined;

  beforeAll(async () => {
    nats = await startNatsServer();
    service = spawnService({
      DATABASE_URL: database().urlFor('plue_agent'),
      NATS_URL: nats.url,
      HEALTH_PORT: '0',
      LOG_LEVEL: 'info',
    });
    await waitUntilReady(service, STARTUP_TIMEOUT_MS);
    connection = await connect({ servers: nats.url });
    const admin = await database().connect();
    const count = async (table: string, where = 'true', values: unknown[] = []) => {
      const { rows } = await admin.query(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`, values);
      return rows[0].n as number;
    };
    current = {
      rpc: new RpcClient(connection),
      admin,
      count,
      async counts(tables) {
        const result: number[] = [];
        for (const table of tables) result.push(await count(table));
        return result;
      },
    };
  }, STARTUP_TIMEOUT_MS + 30_000);

  afterAll(async () => {
    await current?.admin.end();
    if (service?.child.exitCode === null) service.child.kill('SIGKILL');
    await connection?.close();
    await nats?.stop();
  });

  return () => {
    if (!current) throw new Error('the agent-service is not started: call useAgentService() at the top level');
    return current;
  };
}
