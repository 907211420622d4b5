import { spawn } from 'node:child_process';
import path from 'node:path';
import { Client as McpClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { insertUser, useTestDatabase } from '@plue/testing';
import { TEST_ONLY_DISABLE_SQL_GUARD } from '../src/config';

// The built binary (apps/mcp-database/dist/main.js; `npx nx test mcp-database` builds it first).

const main = path.resolve(__dirname, '../dist/main.js');
const database = useTestDatabase();

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the binary with exactly `env` (plus PATH), `input` on stdin, until it exits. */
function run(env: Record<string, string>, args: string[] = [], input = ''): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [main, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

const jsonRpc = (id: number, method: string, params: unknown) => JSON.stringify({ jsonrpc: '2.0', id, method, params });

describe('the stdio binary', () => {
  it('works end to end with the SDK stdio client', async () => {
    const admin = await database().connect();
    await insertUser(admin, { username: 'stdio-user' });
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [main],
      env: { DATABASE_URL: database().urlFor('plue_readonly') },
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const client = new McpClient({ name: 'stdio-test', version: '1.0.0' });
    await client.connect(transport);
    try {
      expect(client.getServerVersion()).toMatchObject({ name: 'database' });
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name).sort()).toEqual([
        'db_stats',
        'describe_table',
        'find_user',
        'list_tables',
        'query',
      ]);
      const found = await client.callTool({ name: 'find_user', arguments: { username: 'stdio-user' } });
      expect(found.structuredContent).toMatchObject({ count: 1, users: [{ username: 'stdio-user', match: 'exact' }] });
      const query = await client.callTool({ name: 'query', arguments: { sql: 'SELECT count(*) FROM users' } });
      expect(query.structuredContent).toMatchObject({ rows: [['1']] });
      const refused = await client.callTool({ name: 'query', arguments: { sql: 'DROP TABLE users' } });
      expect(refused.isError).toBe(true);
    } finally {
      await client.close();
    }
    // Logs went to stderr as JSON lines.
    expect(stderr).toContain('mcp-database ready (stdio)');
    for (const line of stderr.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('starts with `npm run --silent mcp` from the repository root (building first, quietly)', async () => {
    const transport = new StdioClientTransport({
      command: 'npm',
      args: ['run', '--silent', 'mcp'],
      cwd: path.resolve(__dirname, '../../..'),
      env: { DATABASE_URL: database().urlFor('plue_readonly') },
      stderr: 'pipe',
    });
    const client = new McpClient({ name: 'npm-test', version: '1.0.0' });
    await client.connect(transport);
    try {
      const result = await client.callTool({ name: 'query', arguments: { sql: "SELECT 'via npm' AS how" } });
      expect(result.structuredContent).toMatchObject({ rows: [['via npm']] });
    } finally {
      await client.close();
    }
  }, 180_000);

  it('writes nothing but protocol messages on stdout, and exits 0 when stdin closes', async () => {
    const input = [
      jsonRpc(1, 'initialize', {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 'raw', version: '1' },
      }),
      JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
      jsonRpc(2, 'tools/list', {}),
      jsonRpc(3, 'tools/call', { name: 'query', arguments: { sql: 'SELECT 1 AS one' } }),
      jsonRpc(4, 'tools/call', { name: 'query', arguments: { sql: 'SELECT 1; COMMIT; DROP TABLE users' } }),
      jsonRpc(5, 'tools/call', { name: 'db_stats', arguments: {} }),
    ].join('\n');
    const result = await run({ DATABASE_URL: database().urlFor('plue_readonly') }, [], `${input}\n`);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    const messages = lines.map(
      (line) => JSON.parse(line) as { jsonrpc: string; id: number; result: Record<string, unknown> },
    );
    expect(messages.every((message) => message.jsonrpc === '2.0')).toBe(true);
    expect(messages.map((message) => message.id).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(messages.find((message) => message.id === 4)!.result.isError).toBe(true);
    expect(result.stderr).toContain('"level":"info"');
  });
});

describe('refusing to start', () => {
  it('refuses a superuser, exit 77, with a message naming the role and plue_readonly', async () => {
    const result = await run({ DATABASE_URL: database().url });
    expect(result.code).toBe(77);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/refusing to start: DATABASE_URL logs in as \w+, which can write/);
    expect(result.stderr).toMatch(/is a superuser/);
    expect(result.stderr).toContain('plue_readonly');
  });

  it("refuses plue_git's URL, a role that can write, exit 77", async () => {
    const result = await run({ DATABASE_URL: database().urlFor('plue_git') });
    expect(result.code).toBe(77);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('DATABASE_URL logs in as plue_git');
    expect(result.stderr).toContain('plue_git may INSERT, UPDATE, DELETE branches');
  });

  it.each([
    ['no DATABASE_URL', {}, [], /DATABASE_URL is required/],
    ['a DATABASE_URL that is no URL', { DATABASE_URL: 'plue' }, [], /DATABASE_URL must be a postgres:\/\/ URL/],
    [
      'HTTP on a non-loopback address without a token',
      { DATABASE_URL: 'postgres://plue_readonly@127.0.0.1/plue' },
      ['--http', '--host', '0.0.0.0'],
      /refusing to listen on 0\.0\.0\.0 without MCP_HTTP_TOKEN/,
    ],
    [
      'a short token',
      { DATABASE_URL: 'postgres://plue_readonly@127.0.0.1/plue', MCP_HTTP_TOKEN: 'short' },
      ['--http'],
      /MCP_HTTP_TOKEN must be at least 32 characters/,
    ],
    [
      'the test-only guard switch outside tests',
      { DATABASE_URL: 'postgres://plue_readonly@127.0.0.1/plue', [TEST_ONLY_DISABLE_SQL_GUARD]: '1' },
      [],
      /PLUE_MCP_TEST_ONLY_DISABLE_SQL_GUARD is a test-only switch/,
    ],
    [
      'the test-only guard switch with NODE_ENV=production',
      {
        DATABASE_URL: 'postgres://plue_readonly@127.0.0.1/plue',
        NODE_ENV: 'production',
        [TEST_ONLY_DISABLE_SQL_GUARD]: '1',
      },
      [],
      /test-only switch/,
    ],
    ['an unknown option', { DATABASE_URL: 'postgres://plue_readonly@127.0.0.1/plue' }, ['--sse'], /unknown option/],
  ] as [string, Record<string, string>, string[], RegExp][])(
    'exits 78 for %s, saying why on stderr',
    async (_name, env, args, message) => {
      const result = await run(env, args);
      expect(result.code).toBe(78);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(message);
    },
  );
});
