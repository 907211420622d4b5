import path from 'node:path';
import { spawnService as spawnBuiltService, type ServiceProcess } from '@plue/testing';

/** The build output the tests run: what `node apps/auth-service/dist/main.js` runs in production. */
export const MAIN = path.join(__dirname, '..', 'dist', 'main.js');

/** Starts the built auth-service with exactly `env` (plus PATH) and collects its output. */
export function spawnService(env: Record<string, string>): ServiceProcess {
  return spawnBuiltService('auth-service', MAIN, env);
}

export { eventually, waitUntilReady, type LogLine, type ServiceProcess } from '@plue/testing';
