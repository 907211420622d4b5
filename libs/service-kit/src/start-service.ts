import { Module, type DynamicModule, type INestMicroservice, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { createDataSource } from '@plue/db';
import { JetStreamServer, OutboxRelay, OutboxWriter } from '@plue/messaging';
import type { Logger } from 'pino';
import type { DataSource, EntitySchema, MixedList } from 'typeorm';
import type { z } from 'zod';
import { databaseCheck, messagingCheck, natsCheck } from './health-checks';
import { HealthServer } from './health.server';
import { createServiceLogger, PinoLoggerService } from './logger';
import { RequestReplyServer } from './request-reply.server';
import { RpcClient } from './rpc-client';
import { RpcErrorFilter } from './rpc-errors';
import { readServiceConfig, type ServiceConfig } from './service-config';
import { ServiceKitModule } from './service-kit.module';
import { ServiceTransport } from './service.transport';
import { TraceInterceptor } from './trace.interceptor';

export interface ServiceDefinition<Extras> {
  /** The domain (`git`…): names the queue group and durable consumers (`git-service`, `git--…`). */
  domain: string;
  /** The service's Nest module: its RPC controllers, event handlers and DAO providers. */
  module: Type<unknown>;
  /** Entities for the DataSource; string relations need every domain's entities. */
  entities: MixedList<string | (new () => unknown) | EntitySchema>;
  /** The service's own settings, keyed by environment variable. */
  extras: z.ZodType<Extras>;
}

export interface RunningService<Extras> {
  config: ServiceConfig<Extras>;
  logger: Logger;
  healthPort: number;
  app: INestMicroservice;
  /** Graceful stop: see `stop` in this file. Safe to call twice. */
  stop(): Promise<void>;
}

/** The root of a service's Nest application: the kit's providers plus the service's module. */
@Module({})
class ServiceRootModule {}

/** Resources in the order they were opened: a failed start or a stop closes them in reverse. */
type Closer = { name: string; close: () => Promise<unknown> };

async function closeAll(closers: Closer[], logger: Logger): Promise<void> {
  for (const closer of [...closers].reverse()) {
    try {
      await closer.close();
      logger.debug(`closed ${closer.name}`);
    } catch (error) {
      logger.error({ err: error }, `closing ${closer.name} failed`);
    }
  }
}

function connectNats(config: ServiceConfig<unknown>, purpose: string): Promise<NatsConnection> {
  return connect({
    servers: config.natsUrl.split(',').map((url) => url.trim()),
    name: `${config.service} ${purpose} (pid ${process.pid})`,
    // A service outlives NATS restarts: keep reconnecting, readiness reports the outage meanwhile.
    maxReconnectAttempts: -1,
  });
}

/**
 * Starts a service: configuration (refuses to start on any bad variable), database pool, NATS,
 * outbox relay, the Nest microservice (requests and events, see ServiceTransport) and the health
 * endpoint. Returns once it serves; the caller wires signals to `stop` (see `runServiceMain`).
 */
export async function startService<Extras>(
  definition: ServiceDefinition<Extras>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunningService<Extras>> {
  const service = `${definition.domain}-service`;
  const config = readServiceConfig(service, definition.extras, env);
  const logger = createServiceLogger(service, config.logLevel);
  const nestLogger = (component: string) => new PinoLoggerService(logger.child({ component }));
  const opened: Closer[] = [];
  try {
    const dataSource: DataSource = createDataSource(config.database, definition.entities);
    await dataSource.initialize();
    opened.push({ name: 'database pool', close: () => dataSource.destroy() });

    const eventsConnection = await connectNats(config, 'events');
    opened.push({ name: 'NATS events connection', close: () => eventsConnection.drain() });
    const requestsConnection = await connectNats(config, 'requests');
    // Normally drained by the request server when the Nest application closes; this covers a failed start.
    opened.push({
      name: 'NATS requests connection',
      close: async () => (requestsConnection.isClosed() ? undefined : requestsConnection.close()),
    });

    const relay = new OutboxRelay({
      schema: definition.domain,
      dataSource,
      connection: eventsConnection,
      logger: nestLogger('OutboxRelay'),
    });
    relay.start();
    opened.push({ name: 'outbox relay', close: () => relay.stop() });

    const consumers = new JetStreamServer({
      service: definition.domain,
      schema: definition.domain,
      dataSource,
      connection: eventsConnection,
      logger: nestLogger('JetStreamServer'),
    });
    const requests = new RequestReplyServer({
      connection: requestsConnection,
      queue: service,
      drainTimeoutMs: config.shutdownTimeoutMs,
    });
    const parts = {
      config,
      logger,
      dataSource,
      outbox: new OutboxWriter({ schema: definition.domain }),
      rpc: new RpcClient(eventsConnection),
    };
    const root: DynamicModule = {
      module: ServiceRootModule,
      imports: [ServiceKitModule.with(parts), definition.module],
    };
    const app = await NestFactory.createMicroservice(root, {
      strategy: new ServiceTransport(requests, consumers),
      logger: nestLogger('Nest'),
    });
    app.useGlobalFilters(new RpcErrorFilter(logger.child({ component: 'rpc' })));
    app.useGlobalInterceptors(new TraceInterceptor(logger.child({ component: 'messages' })));
    opened.push({ name: 'Nest application', close: () => app.close() });
    await app.listen();

    const health = new HealthServer([
      databaseCheck(dataSource),
      natsCheck({ events: eventsConnection, requests: requestsConnection }),
      messagingCheck(relay, consumers, config.maxRelayLagMs),
    ]);
    const healthPort = await health.listen(config.healthPort);
    logger.info({ healthPort, queue: service, nats: config.natsUrl }, `${service} ready`);

    let stopping: Promise<void> | null = null;
    /**
     * Readiness fails first (the endpoint stays up and says so until the end); then the transport stops taking requests and events and waits for
     * those in progress (Nest application close), the relay finishes its round, NATS drains, and
     * the pool closes last because everything before may still write.
     */
    const stop = () => {
      stopping ??= (async () => {
        logger.info(`${service} stopping`);
        health.markDraining();
        await closeAll(opened.splice(0), logger);
        await health.close();
        logger.info(`${service} stopped`);
      })();
      return stopping;
    };
    return { config, logger, healthPort, app, stop };
  } catch (error) {
    await closeAll(opened, logger);
    throw error;
  }
}
