import { z } from 'zod';

/** How a service reaches PostgreSQL, read from its environment. */
export interface DatabaseConfig {
  url: string;
  poolSize: number;
  statementTimeoutMs: number;
  applicationName: string;
}

const environmentSchema = z.object({
  DATABASE_URL: z
    .string({ error: 'is required (postgres://role@host:port/database)' })
    .refine((value) => /^postgres(ql)?:\/\//.test(value) && URL.canParse(value), 'must be a postgres:// URL'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).default(30_000),
});

export class ConfigurationError extends Error {}

export function readDatabaseConfig(applicationName: string, env: NodeJS.ProcessEnv = process.env): DatabaseConfig {
  const result = environmentSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
    throw new ConfigurationError(`invalid database configuration: ${problems.join('; ')}`);
  }
  return {
    url: result.data.DATABASE_URL,
    poolSize: result.data.DATABASE_POOL_SIZE,
    statementTimeoutMs: result.data.DATABASE_STATEMENT_TIMEOUT_MS,
    applicationName,
  };
}
