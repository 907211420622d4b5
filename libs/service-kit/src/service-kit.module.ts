import { Global, Module, type DynamicModule } from '@nestjs/common';
import { OutboxWriter } from '@plue/messaging';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { RpcClient } from './rpc-client';
import type { ServiceConfig } from './service-config';

/** Injection tokens for what is not a class (the configuration, the pino logger). */
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');
export const SERVICE_LOGGER = Symbol('SERVICE_LOGGER');

export interface ServiceKitParts {
  config: ServiceConfig<unknown>;
  logger: Logger;
  dataSource: DataSource;
  outbox: OutboxWriter;
  /** Requests to other services; on the events connection, which outlives the requests in progress at shutdown. */
  rpc: RpcClient;
}

/**
 * Makes what `startService` built before Nest (it must exist before the transport does) injectable
 * in the service's own module: the initialized `DataSource`, the service's `OutboxWriter`, the
 * configuration (`SERVICE_CONFIG`), the pino logger (`SERVICE_LOGGER`) and an `RpcClient` for calls
 * to other services.
 */
@Global()
@Module({})
export class ServiceKitModule {
  static with(parts: ServiceKitParts): DynamicModule {
    return {
      module: ServiceKitModule,
      providers: [
        { provide: DataSource, useValue: parts.dataSource },
        { provide: OutboxWriter, useValue: parts.outbox },
        { provide: SERVICE_CONFIG, useValue: parts.config },
        { provide: SERVICE_LOGGER, useValue: parts.logger },
        { provide: RpcClient, useValue: parts.rpc },
      ],
      exports: [DataSource, OutboxWriter, SERVICE_CONFIG, SERVICE_LOGGER, RpcClient],
    };
  }
}
