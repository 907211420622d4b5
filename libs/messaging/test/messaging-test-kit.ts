import { Logger } from '@nestjs/common';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { createDataSource } from '@plue/db';
import { startNatsServer, useTestDatabase, type NatsServer, type TestDatabase } from '@plue/testing';
import type { Client } from 'pg';
import type { DataSource } from 'typeorm';

/**
 * Per test file: its own database (a clone of the migrated template) and its own nats-server with
 * JetStream in a temporary folder, on a free port. Everything opened through the kit is closed
 * after the file's tests.
 */
export function useMessagingKit(): MessagingKit {
  const database = useTestDatabase();
  const kit = new MessagingKit(database);
  beforeAll(async () => {
    // Leadership and startup lines would drown the test output; warnings and errors stay.
    Logger.overrideLogger(['warn', 'error']);
    kit.nats = await startNatsServer({ jetstream: true });
    kit.superuser = await database().connect();
  });
  afterAll(() => kit.close());
  return kit;
}

export class MessagingKit {
  nats!: NatsServer;
  superuser!: Client;
  private readonly dataSources: DataSource[] = [];
  private readonly connections: NatsConnection[] = [];

  constructor(readonly database: () => TestDatabase) {}

  /** A DataSource logged in as a service role (`plue_git`…), as the service would have. */
  async dataSource(role: string, poolSize = 5): Promise<DataSource> {
    const dataSource = createDataSource(
      { url: this.database().urlFor(role), poolSize, statementTimeoutMs: 30_000, applicationName: `test ${role}` },
      [],
    );
    await dataSource.initialize();
    this.dataSources.push(dataSource);
    return dataSource;
  }

  async natsConnection(): Promise<NatsConnection> {
    const connection = await connect({ servers: this.nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    this.connections.push(connection);
    return connection;
  }

  async close(): Promise<void> {
    await Promise.all(this.connections.map((connection) => connection.close().catch(() => undefined)));
    await Promise.all(this.dataSources.map((dataSource) => dataSource.destroy().catch(() => undefined)));
    await this.nats?.stop();
  }
}

/** Polls `check` until it returns true (or throws after `timeoutMs`, showing the last value seen). */
export async function eventually<T>(
  read: () => Promise<T>,
  check: (value: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`condition not met in ${timeoutMs} ms; last value: ${JSON.stringify(value).slice(0, 500)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
