import { ConfigurationError, readDatabaseConfig, type DatabaseConfig } from '@plue/db';
import { z } from 'zod';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** What every service reads from its environment, plus its own settings (`extras`). */
export interface ServiceConfig<Extras> {
  service: string;
  database: DatabaseConfig;
  natsUrl: string;
  /** Port of the liveness/readiness HTTP endpoint; 0 picks a free one (tests). */
  healthPort: number;
  logLevel: LogLevel;
  /** How long SIGTERM waits for in-flight requests and events before closing anyway. */
  shutdownTimeoutMs: number;
  /** Readiness fails while this instance leads the relay and its oldest unpublished event is older. */
  maxRelayLagMs: number;
  extras: Extras;
}

const natsUrl = z
  .string({ error: 'is required (nats://host:port, several separated by commas)' })
  .refine(
    (value) => value.split(',').every((url) => /^(nats|tls):\/\/[^\s/]+$/.test(url.trim())),
    'must be nats://host:port (several separated by commas)',
  );

const sharedSchema = z.object({
  NATS_URL: natsUrl,
  HEALTH_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(25_000),
  READY_MAX_RELAY_LAG_MS: z.coerce.number().int().min(0).default(60_000),
});

/** The issues of a failed parse as `VARIABLE message` lines. */
function problemsOf(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
}

/**
 * Reads and checks the whole configuration at once, so that one start attempt reports every bad
 * variable rather than the first. `extrasSchema` is the service's own settings, keyed by
 * environment variable name.
 */
export function readServiceConfig<Extras>(
  service: string,
  extrasSchema: z.ZodType<Extras>,
  env: NodeJS.ProcessEnv = process.env,
): ServiceConfig<Extras> {
  const problems: string[] = [];
  let database: DatabaseConfig | undefined;
  try {
    database = readDatabaseConfig(service, env);
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    problems.push(error.message.replace(/^invalid database configuration: /, ''));
  }
  const shared = sharedSchema.safeParse(env);
  if (!shared.success) problems.push(...problemsOf(shared.error));
  const extras = extrasSchema.safeParse(env);
  if (!extras.success) problems.push(...problemsOf(extras.error));

  if (!database || !shared.success || !extras.success) {
    throw new ConfigurationError(`${service} cannot start, fix its environment: ${problems.join('; ')}`);
  }
  return {
    service,
    database,
    natsUrl: shared.data.NATS_URL,
    healthPort: shared.data.HEALTH_PORT,
    logLevel: shared.data.LOG_LEVEL,
    shutdownTimeoutMs: shared.data.SHUTDOWN_TIMEOUT_MS,
    maxRelayLagMs: shared.data.READY_MAX_RELAY_LAG_MS,
    extras: extras.data,
  };
}
