export { TestDatabase, createTestDatabase, useTestDatabase, adminUrl, withDatabase } from './test-database';
export type { TestDatabaseOptions } from './test-database';
export {
  unique,
  insertUser,
  insertRepository,
  insertIssue,
  insertLabel,
  insertWorkflowDefinition,
  insertWorkflowRun,
} from './factories';
export { startNatsServer, findNatsServerBinary, type NatsServer, type NatsServerOptions } from './nats-server';
export {
  builtMain,
  spawnService,
  waitUntilReady,
  stopService,
  eventually,
  handledPerInstance,
  type ServiceProcess,
  type LogLine,
} from './service-process';
export { useServiceUnderTest, type ServiceUnderTest, type ServiceUnderTestOptions } from './service-under-test';
export { rejectionOf } from './rejection-of';
export { expectServiceReady } from './expect-service-ready';
