import { connect, type NatsConnection } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import { escapeIdentifier, type Client } from 'pg';
import {
  builtMain,
  spawnService,
  startNatsServer,
  stopService,
  waitUntilReady,
  type NatsServer,
  type ServiceProcess,
  type TestDatabase,
} from '@plue/testing';

// The platform for an end-to-end test: a nats-server of the test's own, the chosen built services
// (each connected as its own database role), and a client that speaks only what the contracts
// README documents: plain NATS requests in its wire format.

export type Domain = 'auth' | 'git' | 'collaboration' | 'agent';
export type Json = Record<string, unknown>;

export interface RpcFailure {
  code: string;
  message: string;
  details: Json;
}

export interface Platform {
  services: Record<Domain, ServiceProcess | undefined>;
  /** Sends one request; resolves with the reply's `response`, rejects with `RpcCallError` on `err`. */
  call<T = Json>(pattern: string, data: Json): Promise<T>;
  /** Sends one request; resolves with the reply's `err` (and fails the test if it succeeded). */
  callExpectingError(pattern: string, data: Json): Promise<RpcFailure>;
  /** A superuser connection to the test database, for assertions. */
  admin: Client;
  stop(): Promise<void>;
}

export class RpcCallError extends Error {
  constructor(
    readonly pattern: string,
    readonly failure: RpcFailure,
  ) {
    super(`${pattern} failed: ${JSON.stringify(failure)}`);
  }
}

export async function startPlatform(database: TestDatabase, domains: Domain[]): Promise<Platform> {
  const nats: NatsServer = await startNatsServer();
  const services = {
    auth: undefined,
    git: undefined,
    collaboration: undefined,
    agent: undefined,
  } as Platform['services'];
  let connection: NatsConnection | undefined;
  let admin: Client | undefined;
  const stop = async () => {
    await Promise.all(Object.values(services).map((service) => stopService(service)));
    await connection?.close();
    await admin?.end();
    await nats.stop();
  };
  try {
    for (const domain of domains) {
      services[domain] = spawnService(`${domain}-service`, builtMain(`@plue/${domain}-service`), {
        NATS_URL: nats.url,
        HEALTH_PORT: '0',
        LOG_LEVEL: 'debug',
        DATABASE_URL: database.urlFor(`plue_${domain}`),
      });
    }
    const healthPorts = await Promise.all(domains.map((domain) => waitUntilReady(services[domain]!)));
    await Promise.all(healthPorts.map(expectReady));
    connection = await connect({ servers: nats.url });
    admin = await database.connect();
  } catch (error) {
    await stop();
    throw error;
  }

  const request = async (pattern: string, data: Json) => {
    const id = randomUUID();
    const message = await connection!.request(pattern, JSON.stringify({ id, data }), { timeout: 10_000 });
    const reply = message.json<{ id: string; response?: unknown; err?: RpcFailure }>();
    if (reply.id !== id) throw new Error(`${pattern}: reply id ${reply.id} is not the request's ${id}`);
    return reply;
  };
  return {
    services,
    admin,
    stop,
    async call<T>(pattern: string, data: Json): Promise<T> {
      const reply = await request(pattern, data);
      if (reply.err) throw new RpcCallError(pattern, reply.err);
      return reply.response as T;
    },
    async callExpectingError(pattern: string, data: Json): Promise<RpcFailure> {
      const reply = await request(pattern, data);
      if (!reply.err) throw new Error(`${pattern} succeeded, expected an error: ${JSON.stringify(reply.response)}`);
      return reply.err;
    },
  };
}

async function expectReady(healthPort: number): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${healthPort}/health/ready`);
  const body = (await response.json()) as { ready: boolean };
  if (response.status !== 200 || !body.ready) {
    throw new Error(`readiness on port ${healthPort}: ${response.status} ${JSON.stringify(body)}`);
  }
}

/**
 * How many events of these subjects `domain`'s consumers have committed: inbox rows commit with the
 * handler's writes (the handler's own log line comes just before that commit).
 */
export async function handledEvents(admin: Client, domain: Domain, subjects: string[]): Promise<number> {
  const { rows } = await admin.query(
    `SELECT count(*)::int AS n FROM ${escapeIdentifier(domain)}.inbox WHERE subject = ANY ($1)`,
    [subjects],
  );
  return rows[0].n as number;
}
