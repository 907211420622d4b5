import { Client } from 'pg';
import { pino, type Logger } from 'pino';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { describeDatabaseUrl, ExitCode, type McpConfig } from './config';
import { APPLICATION_NAME, Database } from './database';
import { startHttpTransport } from './http-transport';
import { createMcpServer, InFlightCalls } from './mcp-server';
import { describeRefusal, findWriteCapabilities } from './role-check';
import { loadSqlParser } from './sql-guard';

/** A failure that ends the process with `exitCode` and prints `message` alone. */
export class StartupError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** JSON lines on stderr (fd 2): in stdio mode stdout carries only MCP messages. */
export function createLogger(level: McpConfig['logLevel']): Logger {
  return pino(
    {
      level,
      base: { service: 'mcp-database', pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    pino.destination({ fd: 2, sync: true }),
  );
}

/**
 * Connects once as DATABASE_URL's role and refuses (exit 77) a role that could write: the server
 * must be read-only even if every check in its own code failed.
 */
export async function checkRole(databaseUrl: string): Promise<string> {
  const client = new Client({
    connectionString: databaseUrl,
    application_name: `${APPLICATION_NAME} startup`,
    connectionTimeoutMillis: 10_000,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    throw new StartupError(
      `cannot connect to ${describeDatabaseUrl(databaseUrl)}: ${(error as Error).message}`,
      ExitCode.failed,
    );
  }
  try {
    const { rows } = await client.query<{ role: string }>('SELECT current_user AS role');
    const problems = await findWriteCapabilities(client);
    if (problems.length > 0) throw new StartupError(describeRefusal(rows[0].role, problems), ExitCode.unsafeRole);
    return rows[0].role;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** `work` runs on the first call only; later calls (also re-entrant ones) share its promise. */
function once(work: () => Promise<void>): () => Promise<void> {
  let started: Promise<void> | undefined;
  return () => {
    if (!started) {
      let begin!: () => void;
      started = new Promise<void>((resolve) => (begin = resolve)).then(work);
      begin();
    }
    return started;
  };
}

export interface RunningApp {
  /** The HTTP endpoint, in HTTP mode. */
  url?: string;
  /** Resolves when the transport closed (stdin ended, or stop() was called). */
  closed: Promise<void>;
  stop(): Promise<void>;
}

export async function startApp(config: McpConfig, logger: Logger): Promise<RunningApp> {
  await loadSqlParser();
  const role = await checkRole(config.databaseUrl);
  if (config.sqlGuardDisabledForTests) logger.warn('TEST ONLY: the SQL parser guard of the query tool is off');
  const database = new Database(config.databaseUrl, config.poolSize, config.limits.statementTimeoutMs, logger);
  const inFlight = new InFlightCalls();
  const newServer = () =>
    createMcpServer({
      database,
      inFlight,
      limits: config.limits,
      logger,
      sqlGuardDisabledForTests: config.sqlGuardDisabledForTests,
    });

  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));

  if (config.http) {
    const endpoint = await startHttpTransport(config.http, newServer, logger);
    logger.info(
      {
        url: endpoint.url,
        role,
        database: describeDatabaseUrl(config.databaseUrl),
        auth: config.http.token ? 'bearer' : 'none',
      },
      'mcp-database ready (streamable HTTP)',
    );
    const stop = once(async () => {
      await endpoint.close();
      await database.close();
      resolveClosed();
    });
    return { url: endpoint.url, closed, stop };
  }

  const server = newServer();
  const transport = new StdioServerTransport();
  const stop = once(async () => {
    await server.close().catch(() => undefined);
    await database.close();
    resolveClosed();
  });
  server.server.onerror = (error) => logger.warn({ err: error.message }, 'MCP transport error');
  transport.onclose = () => void stop();
  // The client closing stdin ends the session, once the calls it already sent are answered.
  process.stdin.once('end', () => {
    void inFlight.idle(config.limits.statementTimeoutMs + 5_000).then(stop);
  });
  await server.connect(transport);
  logger.info({ role, database: describeDatabaseUrl(config.databaseUrl) }, 'mcp-database ready (stdio)');
  return { closed, stop };
}
