// Starting a service: configuration, wiring, signals.
export { runServiceMain, EXIT_CONFIGURATION } from './run-service-main';
export { startService, type ServiceDefinition, type RunningService } from './start-service';
export { readServiceConfig, LOG_LEVELS, type ServiceConfig, type LogLevel } from './service-config';
export { ServiceKitModule, SERVICE_CONFIG, SERVICE_LOGGER, type ServiceKitParts } from './service-kit.module';

// Requests: Nest's NATS transport with a queue group, contract checks and structured errors.
export { RequestReplyServer, type RequestReplyServerOptions } from './request-reply.server';
export { ServiceTransport } from './service.transport';
export { RpcRequestPipe } from './rpc-request.pipe';
export { RpcErrorFilter, toRpcError } from './rpc-errors';
export { RpcClient, RpcCallError } from './rpc-client';

// Observability: logs with the trace id, trace propagation, health.
export { createServiceLogger, PinoLoggerService } from './logger';
export { continueTrace, runInTrace, currentTrace, currentTraceparent, type Trace } from './trace-context';
export { TraceInterceptor } from './trace.interceptor';
export { HealthServer, type HealthCheck, type CheckResult, type ReadinessReport } from './health.server';
export { databaseCheck, natsCheck, messagingCheck } from './health-checks';
