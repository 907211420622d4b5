import { request } from 'node:http';
import { Client as McpClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { pino } from 'pino';
import { useTestDatabase } from '@plue/testing';
import { startApp, type RunningApp } from '../src/app';
import { readConfig } from '../src/config';
import { tokenMatches } from '../src/http-transport';

// Streamable HTTP, in this process, on 127.0.0.1 and a free port.

const database = useTestDatabase();
const logger = pino({ level: 'silent' });
const TOKEN = 'a'.repeat(20) + 'b'.repeat(20);
const apps: RunningApp[] = [];

afterAll(async () => {
  await Promise.all(apps.map((app) => app.stop()));
});

async function startHttp(env: Record<string, string> = {}): Promise<string> {
  const config = readConfig({
    DATABASE_URL: database().urlFor('plue_readonly'),
    MCP_TRANSPORT: 'http',
    MCP_HTTP_PORT: '0',
    ...env,
  });
  const app = await startApp(config, logger);
  apps.push(app);
  return app.url!;
}

async function connect(url: string, token?: string): Promise<McpClient> {
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: token ? { headers: { Authorization: `Bearer ${token}` } } : {},
  });
  const client = new McpClient({ name: 'http-test', version: '1.0.0' });
  try {
    await client.connect(transport);
  } catch (error) {
    await client.close(); // a refused connection still holds the transport's resources
    throw error;
  }
  return client;
}

/** A raw POST of an initialize request with the given headers. */
function post(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers }));
      },
    );
    req.on('error', reject);
    req.end(
      JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
      }),
    );
  });
}

describe('streamable HTTP', () => {
  it('serves the tools on 127.0.0.1 by default', async () => {
    const url = await startHttp();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const client = await connect(url);
    try {
      const { tools } = await client.listTools();
      expect(tools).toHaveLength(5);
      const result = await client.callTool({ name: 'query', arguments: { sql: 'SELECT 40 + 2 AS answer' } });
      expect(result.structuredContent).toMatchObject({ rows: [[42]] });
    } finally {
      await client.close();
    }
  });

  it('rejects a Host header other than the loopback address (DNS rebinding)', async () => {
    const url = await startHttp();
    const response = await post(url, { host: 'attacker.example:80' });
    expect(response.status).toBe(403);
  });

  it('with a token, refuses requests without it or with another, and serves the bearer', async () => {
    const url = await startHttp({ MCP_HTTP_TOKEN: TOKEN });
    const none = await post(url, {});
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    expect((await post(url, { authorization: `Bearer ${TOKEN}x` })).status).toBe(401);
    expect((await post(url, { authorization: `Basic ${TOKEN}` })).status).toBe(401);
    await expect(connect(url)).rejects.toThrow();

    const client = await connect(url, TOKEN);
    try {
      const stats = await client.callTool({ name: 'db_stats', arguments: {} });
      expect(stats.isError).toBeFalsy();
    } finally {
      await client.close();
    }
  });

  it('compares tokens in constant time over their hashes', () => {
    expect(tokenMatches(TOKEN, TOKEN)).toBe(true);
    expect(tokenMatches(`${TOKEN}x`, TOKEN)).toBe(false);
    expect(tokenMatches('', TOKEN)).toBe(false);
  });
});
