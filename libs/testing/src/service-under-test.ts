import { connect, type NatsConnection } from '@nats-io/transport-node';
import { escapeIdentifier, type Client } from 'pg';
import { startNatsServer, type NatsServer } from './nats-server';
import { builtMain, spawnService, stopService, waitUntilReady, type ServiceProcess } from './service-process';
import { useTestDatabase, type TestDatabase } from './test-database';

/** Starting a service takes seconds alone, and much longer on a machine busy with other test runs. */
const STARTUP_TIMEOUT_MS = 90_000;

export interface ServiceUnderTestOptions<Rpc> {
  /** The app's name: `git-service` runs the build output of `@plue/git-service`. */
  service: string;
  /** The database role the service connects as (`plue_git`…). */
  role: string;
  /**
   * Wraps the NATS connection in the caller's RPC client, typically `(nats) => new RpcClient(nats)`:
   * `RpcClient` lives in `@plue/service-kit`, whose own tests use this library.
   */
  rpc: (nats: NatsConnection) => Rpc;
  /** Added to (or replacing) the service's environment: `LOG_LEVEL`, tuning variables… */
  env?: Record<string, string>;
  /** How many instances to start on the same database and nats-server (scale-out tests); default 1. */
  instances?: number;
  startupTimeoutMs?: number;
}

export interface ServiceUnderTest<Rpc> {
  rpc: Rpc;
  /** The test's own connection to the service's nats-server (publish events, subscribe). */
  nats: NatsConnection;
  natsUrl: string;
  /** The spec file's database (its URL, other roles' URLs and clients). */
  database: TestDatabase;
  /** A superuser connection to the spec file's database, to arrange rows and check what was written. */
  admin: Client;
  /** The running service (the first instance): its pid, exit and collected log lines. */
  service: ServiceProcess;
  /** Every running instance, the first being `service`. */
  services: ServiceProcess[];
  healthPort: number;
  /** Rows of `table` (schema-qualified names allowed) matching the SQL condition `where` with `values`. */
  count(table: string, where?: string, values?: unknown[]): Promise<number>;
  /** Row counts of the tables, one query after the other (one client). */
  counts(tables: string[]): Promise<number[]>;
}

/**
 * One built service on the spec file's own database clone and its own nats-server, for the spec file
 * that calls this at its top level: beforeAll starts them, afterAll stops the service (SIGTERM, then
 * waits for it), closes the connections and stops the nats-server. Returns an accessor for the tests.
 */
export function useServiceUnderTest<Rpc>(options: ServiceUnderTestOptions<Rpc>): () => ServiceUnderTest<Rpc> {
  const startupTimeoutMs = options.startupTimeoutMs ?? STARTUP_TIMEOUT_MS;
  let nats: NatsServer | undefined;
  let services: ServiceProcess[] = [];
  let connection: NatsConnection | undefined;
  let current: ServiceUnderTest<Rpc> | undefined;

  // Jest runs afterAll hooks in the order they were registered: this one before the database's, so
  // the service drains while its database still exists. The admin client is closed with the database.
  afterAll(async () => {
    await Promise.all(services.map((service) => stopService(service)));
    await connection?.close();
    await nats?.stop();
  }, 30_000);
  const database = useTestDatabase();

  beforeAll(async () => {
    nats = await startNatsServer();
    const env = {
      DATABASE_URL: database().urlFor(options.role),
      NATS_URL: nats.url,
      HEALTH_PORT: '0',
      LOG_LEVEL: 'info',
      ...options.env,
    };
    const main = builtMain(`@plue/${options.service}`);
    services = Array.from({ length: options.instances ?? 1 }, () => spawnService(options.service, main, env));
    const [healthPort] = await Promise.all(services.map((service) => waitUntilReady(service, startupTimeoutMs)));
    connection = await connect({ servers: nats.url });
    const admin = await database().connect();
    const count = async (table: string, where = 'true', values: unknown[] = []) => {
      const name = table.split('.').map(escapeIdentifier).join('.');
      const { rows } = await admin.query(`SELECT count(*)::int AS n FROM ${name} WHERE ${where}`, values);
      return rows[0].n as number;
    };
    current = {
      rpc: options.rpc(connection),
      nats: connection,
      natsUrl: nats.url,
      database: database(),
      admin,
      service: services[0],
      services,
      healthPort,
      count,
      async counts(tables) {
        const result: number[] = [];
        for (const table of tables) result.push(await count(table));
        return result;
      },
    };
  }, startupTimeoutMs + 30_000);

  return () => {
    if (!current) throw new Error(`${options.service} is not started: call useServiceUnderTest() at the top level`);
    return current;
  };
}
