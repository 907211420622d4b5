import { Client as McpClient } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Client } from 'pg';
import { pino } from 'pino';
import { readConfig, type McpConfig } from '../src/config';
import { Database } from '../src/database';
import { createMcpServer } from '../src/mcp-server';
import { loadSqlParser } from '../src/sql-guard';
import { checkRole } from '../src/app';
import { ERROR_META_KEY, type ToolErrorInfo } from '../src/tool-error';

export interface InProcessServer {
  client: McpClient;
  config: McpConfig;
  database: Database;
  call(name: string, args?: Record<string, unknown>, signal?: AbortSignal): Promise<CallToolResult>;
  /** The structured result of a call that must succeed. */
  ok<T = Record<string, unknown>>(name: string, args?: Record<string, unknown>): Promise<T>;
  /** The error of a call that must fail. */
  refused(name: string, args?: Record<string, unknown>): Promise<ToolErrorInfo>;
  close(): Promise<void>;
}

/**
 * The MCP server in this process, configured from `env` like the binary (DATABASE_URL and the
 * MCP_* variables), connected to the SDK's own client through the SDK's in-memory transport.
 */
export async function startInProcess(env: Record<string, string>): Promise<InProcessServer> {
  const config = readConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env });
  await loadSqlParser();
  await checkRole(config.databaseUrl);
  const logger = pino({ level: config.logLevel });
  const database = new Database(config.databaseUrl, config.poolSize, config.limits.statementTimeoutMs, logger);
  const server = createMcpServer({
    database,
    limits: config.limits,
    logger,
    sqlGuardDisabledForTests: config.sqlGuardDisabledForTests,
  });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new McpClient({ name: 'mcp-database-test', version: '1.0.0' });
  await client.connect(clientSide);
  await client.listTools(); // lets the client check structured results against the output schemas

  const call = async (name: string, args: Record<string, unknown> = {}, signal?: AbortSignal) =>
    (await client.callTool({ name, arguments: args }, undefined, signal ? { signal } : undefined)) as CallToolResult;
  return {
    client,
    config,
    database,
    call,
    ok: async <T>(name: string, args: Record<string, unknown> = {}) => {
      const result = await call(name, args);
      if (result.isError) throw new Error(`${name} failed: ${JSON.stringify(result.content)}`);
      return result.structuredContent as T;
    },
    refused: async (name: string, args: Record<string, unknown> = {}) => {
      const result = await call(name, args);
      if (!result.isError) throw new Error(`${name} succeeded: ${JSON.stringify(result.structuredContent)}`);
      return errorOf(result);
    },
    close: async () => {
      await client.close();
      await server.close();
      await database.close();
    },
  };
}

export function errorOf(result: CallToolResult): ToolErrorInfo {
  const info = result._meta?.[ERROR_META_KEY] as ToolErrorInfo | undefined;
  if (!info) throw new Error(`no error details in ${JSON.stringify(result)}`);
  return info;
}

/** The roles the migrations create (roles are cluster-wide: other databases' tests must not count). */
const SERVICE_ROLES = ['plue_readonly', 'plue_auth', 'plue_git', 'plue_collaboration', 'plue_agent'];

/**
 * Everything an attack could change, as one string: relations (with owner and privileges),
 * schemas, functions, every public table's row count, the users rows, large objects, the
 * service roles' settings and passwords, and this database's advisory locks and prepared
 * transactions. Read as the superuser.
 */
export async function databaseFingerprint(admin: Client): Promise<string> {
  const tables = await admin.query<{ name: string }>(
    "SELECT quote_ident(relname) AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 1",
  );
  const counts = tables.rows
    .map((table) => `SELECT '${table.name}:' || count(*) FROM ${table.name}`)
    .join(' UNION ALL ');
  const { rows } = await admin.query<{ part: string }>(
    `SELECT string_agg(part, E'\\n' ORDER BY part) AS part FROM (
       SELECT format('relation %s.%s %s owner %s acl %s', n.nspname, c.relname, c.relkind, c.relowner, c.relacl) AS part
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'
       UNION ALL SELECT format('schema %s owner %s acl %s', nspname, nspowner, nspacl) FROM pg_namespace
       UNION ALL SELECT format('function %s acl %s', oid::regprocedure, proacl) FROM pg_proc
        WHERE pronamespace <> 'pg_catalog'::regnamespace OR proname LIKE 'lo\\_%'
       UNION ALL SELECT format('database acl %s', datacl) FROM pg_database WHERE datname = current_database()
       UNION ALL SELECT 'users ' || md5(coalesce(string_agg(u::text, ',' ORDER BY u.id), '')) FROM users u
       UNION ALL SELECT 'large objects ' || count(*) FROM pg_largeobject_metadata
       UNION ALL SELECT 'role settings ' || coalesce(string_agg(setrole || ':' || setconfig::text, ',' ORDER BY setrole), '')
         FROM pg_db_role_setting WHERE setrole IN (SELECT oid FROM pg_roles WHERE rolname LIKE ANY ($1))
       UNION ALL SELECT 'roles ' || md5(string_agg(format('%s %s %s %s', rolname, rolpassword, rolsuper, rolinherit), ',' ORDER BY rolname))
         FROM pg_authid WHERE rolname LIKE ANY ($1) OR rolname = current_user
       UNION ALL SELECT 'advisory locks ' || count(*) FROM pg_locks
        WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
       UNION ALL SELECT 'prepared transactions ' || count(*) FROM pg_prepared_xacts WHERE database = current_database()
       UNION ALL ${counts}
     ) parts`,
    [SERVICE_ROLES],
  );
  return rows[0].part;
}

/** Polls pg_stat_activity (as the superuser) for backends running a statement that contains `marker`. */
export async function activeBackends(admin: Client, marker: string): Promise<number[]> {
  const { rows } = await admin.query<{ pid: number }>(
    "SELECT pid FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%' || $1 || '%' AND pid <> pg_backend_pid()",
    [marker],
  );
  return rows.map((row) => row.pid);
}

export async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
