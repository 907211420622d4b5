import { z } from 'zod';

/** Exit codes of the binary (sysexits.h where one fits). */
export const ExitCode = {
  ok: 0,
  failed: 1,
  /** DATABASE_URL logs in as a role that may write (or is a superuser): EX_NOPERM. */
  unsafeRole: 77,
  /** A bad environment or command line: EX_CONFIG. */
  configuration: 78,
} as const;

export class ConfigurationError extends Error {}

/** The caps applied to every `query` result; each is reported back with the result. */
export interface QueryLimits {
  /** Rows returned when the caller names no max_rows. */
  defaultRows: number;
  /** The most rows a caller may ask for (a larger max_rows is lowered to this). */
  maxRows: number;
  /** Characters per cell: a longer text (or JSON value, as text) is cut and marked. */
  maxCellChars: number;
  /** Bytes of rows (as JSON) per response: rows past it are dropped and the result marked truncated. */
  maxResponseBytes: number;
  /** Server-side statement_timeout (and lock_timeout) of every tool's transaction. */
  statementTimeoutMs: number;
  /** The longest SQL text `query` accepts. */
  maxSqlChars: number;
}

export interface HttpOptions {
  host: string;
  port: number;
  /** Bearer token every request must carry; required when the host is not a loopback address. */
  token: string | undefined;
}

export interface McpConfig {
  databaseUrl: string;
  poolSize: number;
  limits: QueryLimits;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Streamable HTTP instead of stdio. */
  http: HttpOptions | undefined;
  /**
   * TEST ONLY: skip the SQL parser layer of the `query` guard so that tests can prove the database
   * layers hold on their own. Set only when NODE_ENV=test and PLUE_MCP_TEST_ONLY_DISABLE_SQL_GUARD=1;
   * the variable without NODE_ENV=test is a configuration error, never silently honoured.
   */
  sqlGuardDisabledForTests: boolean;
}

/** The name of the test-only switch (see McpConfig.sqlGuardDisabledForTests). */
export const TEST_ONLY_DISABLE_SQL_GUARD = 'PLUE_MCP_TEST_ONLY_DISABLE_SQL_GUARD';

const integer = (min: number, max: number, fallback: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` })
    .default(fallback);

const environmentSchema = z.object({
  DATABASE_URL: z
    .string({ error: 'is required (postgres://plue_readonly@host:5432/plue)' })
    .refine(
      (value) => /^postgres(ql)?:\/\//.test(value) && URL.canParse(value),
      'must be a postgres:// URL (postgres://plue_readonly@host:5432/plue)',
    ),
  MCP_POOL_SIZE: integer(2, 32, 4),
  MCP_STATEMENT_TIMEOUT_MS: integer(100, 600_000, 15_000),
  MCP_DEFAULT_ROWS: integer(1, 100_000, 100),
  MCP_MAX_ROWS: integer(1, 100_000, 1000),
  MCP_MAX_CELL_CHARS: integer(16, 1_000_000, 2000),
  MCP_MAX_RESPONSE_BYTES: integer(1024, 16 * 1024 * 1024, 256 * 1024),
  MCP_MAX_SQL_CHARS: integer(16, 1_000_000, 100_000),
  MCP_TRANSPORT: z.enum(['stdio', 'http'], { error: 'must be stdio or http' }).default('stdio'),
  MCP_HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  MCP_HTTP_PORT: integer(0, 65_535, 3100),
  MCP_HTTP_TOKEN: z
    .string()
    .min(32, { error: 'must be at least 32 characters (e.g. `openssl rand -hex 32`)' })
    .optional(),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'must be fatal, error, warn, info, debug, trace or silent',
    })
    .default('info'),
});

/** What the command line may override (`--http`, `--host`, `--port`). */
export interface CommandLine {
  http?: boolean;
  host?: string;
  port?: number;
}

export function readConfig(env: NodeJS.ProcessEnv, commandLine: CommandLine = {}): McpConfig {
  const parsed = environmentSchema.safeParse(
    Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== '')),
  );
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
    throw new ConfigurationError(`invalid configuration: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  if (e.MCP_DEFAULT_ROWS > e.MCP_MAX_ROWS) {
    throw new ConfigurationError('invalid configuration: MCP_DEFAULT_ROWS must not exceed MCP_MAX_ROWS');
  }

  const useHttp = commandLine.http ?? e.MCP_TRANSPORT === 'http';
  let http: HttpOptions | undefined;
  if (useHttp) {
    http = {
      host: commandLine.host ?? e.MCP_HTTP_HOST,
      port: commandLine.port ?? e.MCP_HTTP_PORT,
      token: e.MCP_HTTP_TOKEN,
    };
    if (!isLoopback(http.host) && !http.token) {
      throw new ConfigurationError(
        `refusing to listen on ${http.host} without MCP_HTTP_TOKEN: any address other than loopback ` +
          '(127.0.0.1, ::1, localhost) requires a bearer token of at least 32 characters',
      );
    }
  } else if (commandLine.host !== undefined || commandLine.port !== undefined) {
    throw new ConfigurationError('--host and --port apply only with --http');
  }

  return {
    databaseUrl: e.DATABASE_URL,
    poolSize: e.MCP_POOL_SIZE,
    limits: {
      defaultRows: e.MCP_DEFAULT_ROWS,
      maxRows: e.MCP_MAX_ROWS,
      maxCellChars: e.MCP_MAX_CELL_CHARS,
      maxResponseBytes: e.MCP_MAX_RESPONSE_BYTES,
      statementTimeoutMs: e.MCP_STATEMENT_TIMEOUT_MS,
      maxSqlChars: e.MCP_MAX_SQL_CHARS,
    },
    logLevel: e.LOG_LEVEL,
    http,
    sqlGuardDisabledForTests: readTestOnlyGuardSwitch(env),
  };
}

function readTestOnlyGuardSwitch(env: NodeJS.ProcessEnv): boolean {
  const value = env[TEST_ONLY_DISABLE_SQL_GUARD];
  if (value === undefined || value === '') return false;
  if (env.NODE_ENV !== 'test' || value !== '1') {
    throw new ConfigurationError(
      `${TEST_ONLY_DISABLE_SQL_GUARD} is a test-only switch (honoured only as 1 with NODE_ENV=test): unset it`,
    );
  }
  return true;
}

/** 127.0.0.0/8, ::1 and localhost. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127(\.\d{1,3}){3}$/.test(bare);
}

/** The URL with its password hidden, for messages and logs. */
export function describeDatabaseUrl(url: string): string {
  try {
    const shown = new URL(url);
    if (shown.password) shown.password = '***';
    return shown.toString();
  } catch {
    return '(unparsable DATABASE_URL)';
  }
}
