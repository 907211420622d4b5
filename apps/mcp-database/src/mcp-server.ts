import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from 'pino';
import type { QueryLimits } from './config';
import type { Database } from './database';
import { errorResult, toToolError } from './tool-error';
import { DbStatsTool, dbStatsOutput } from './tools/db-stats.tool';
import { DescribeTableTool, describeTableInput, describeTableOutput } from './tools/describe-table.tool';
import { FindUserTool, findUserInput, findUserOutput } from './tools/find-user.tool';
import { ListTablesTool, listTablesInput, listTablesOutput } from './tools/list-tables.tool';
import { QueryTool, queryInput, queryOutput } from './tools/query.tool';

/** The server name an MCP client sees (tools appear as mcp__database__query, ...). */
export const SERVER_NAME = 'database';
export const SERVER_VERSION = '0.1.0';

/** Counts the tool calls being served, so that a closing stdio session can answer them first. */
export class InFlightCalls {
  private count = 0;
  private waiters: (() => void)[] = [];

  enter(): void {
    this.count++;
  }

  leave(): void {
    this.count--;
    if (this.count === 0) for (const wake of this.waiters.splice(0)) setImmediate(wake);
  }

  /** Resolves once no call is being served (or after `maxMs`). */
  idle(maxMs: number): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, maxMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

export interface ServerDependencies {
  database: Database;
  inFlight?: InFlightCalls;
  limits: QueryLimits;
  logger: Logger;
  /** TEST ONLY (config.sqlGuardDisabledForTests): true skips the SQL parser layer of `query`. */
  sqlGuardDisabledForTests?: boolean;
}

/** Every tool only reads, gives the same answer for the same database state and stays inside it. */
const READ_ONLY: ToolAnnotations = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
};

/**
 * One MCP server (one per client session) with the five tools. The database pool is shared
 * between sessions; each tool call runs in its own read-only transaction.
 */
export function createMcpServer(deps: ServerDependencies): McpServer {
  const { database, limits, logger } = deps;
  const server = new McpServer(
    { name: SERVER_NAME, version: SERVER_VERSION },
    {
      instructions:
        'Read-only access to the Plue PostgreSQL database for debugging: list_tables and describe_table for the ' +
        'schema, find_user for a user and their tokens/keys (no secrets), db_stats for server health, and query for ' +
        'one SELECT/EXPLAIN/SHOW at a time. Every statement runs read-only with a timeout and result caps.',
    },
  );
  const queryTool = new QueryTool(database, limits, !deps.sqlGuardDisabledForTests);
  const listTables = new ListTablesTool(database);
  const describeTable = new DescribeTableTool(database);
  const findUser = new FindUserTool(database);
  const dbStats = new DbStatsTool(database);

  /** Runs a tool: structured result on success, an MCP error result (kind, SQLSTATE) otherwise. */
  const serve = async (tool: string, args: unknown, work: () => Promise<object>): Promise<CallToolResult> => {
    const started = Date.now();
    deps.inFlight?.enter();
    try {
      const structured = (await work()) as Record<string, unknown>;
      logger.info({ tool, ms: Date.now() - started }, 'tool call served');
      return { content: [{ type: 'text', text: JSON.stringify(structured) }], structuredContent: structured };
    } catch (error) {
      const failure = toToolError(error);
      logger.info(
        { tool, ms: Date.now() - started, kind: failure.kind, sqlstate: failure.sqlstate, args },
        `tool call refused: ${failure.message}`,
      );
      return errorResult(failure);
    } finally {
      deps.inFlight?.leave();
    }
  };

  server.registerTool(
    'query',
    {
      title: 'Run one read-only SQL statement',
      description:
        'Runs exactly one SELECT, EXPLAIN of a SELECT, or SHOW as the read-only role, in a read-only transaction ' +
        `with a ${limits.statementTimeoutMs} ms timeout. Returns columns with types and rows (at most ` +
        `${limits.defaultRows} by default, ${limits.maxRows} at most; long cells cut at ${limits.maxCellChars} ` +
        'characters). bigint and numeric values come as exact strings. Writes, locks, settings, file access and ' +
        'several statements are refused.',
      inputSchema: queryInput,
      outputSchema: queryOutput,
      annotations: READ_ONLY,
    },
    ({ sql, max_rows }, extra) =>
      serve('query', { sql }, () => queryTool.run({ sql, maxRows: max_rows, signal: extra.signal })),
  );

  server.registerTool(
    'list_tables',
    {
      title: 'List tables and views',
      description:
        'Tables, partitioned tables, views, materialized views and foreign tables with kind, estimated rows, ' +
        'size and comment; every schema, or one.',
      inputSchema: listTablesInput,
      outputSchema: listTablesOutput,
      annotations: READ_ONLY,
    },
    ({ schema }, extra) => serve('list_tables', { schema }, () => listTables.run({ schema, signal: extra.signal })),
  );

  server.registerTool(
    'describe_table',
    {
      title: 'Describe one table',
      description:
        'Columns (type, nullability, default, identity), primary key, unique and check constraints, foreign keys ' +
        'in both directions, indexes (with validity), triggers and comments of one table or view. An unknown ' +
        'name returns an error naming the closest existing tables.',
      inputSchema: describeTableInput,
      outputSchema: describeTableOutput,
      annotations: READ_ONLY,
    },
    ({ table }, extra) => serve('describe_table', { table }, () => describeTable.run({ table, signal: extra.signal })),
  );

  server.registerTool(
    'find_user',
    {
      title: 'Find users by username',
      description:
        'The user whose username equals the text (ignoring case), then users whose username starts with it ' +
        '(% and _ match themselves), at most 10, with e-mail addresses, access tokens and SSH keys. Secrets ' +
        '(token hashes, session keys, nonces) never appear.',
      inputSchema: findUserInput,
      outputSchema: findUserOutput,
      annotations: READ_ONLY,
    },
    ({ username }, extra) => serve('find_user', { username }, () => findUser.run({ username, signal: extra.signal })),
  );

  server.registerTool(
    'db_stats',
    {
      title: 'Database health',
      description:
        'Server version, database size, connections by state against max_connections, cache hit ratio, commits ' +
        'and rollbacks, deadlocks, the largest tables, the longest-running query and the applied migration version.',
      inputSchema: {},
      outputSchema: dbStatsOutput,
      annotations: READ_ONLY,
    },
    (_args, extra) => serve('db_stats', {}, () => dbStats.run({ signal: extra.signal })),
  );

  return server;
}
