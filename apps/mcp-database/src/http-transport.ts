import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from 'pino';
import { isLoopback, type HttpOptions } from './config';

export const MCP_PATH = '/mcp';
const MAX_SESSIONS = 64;
const SESSION_IDLE_MS = 30 * 60_000;
const MAX_BODY_BYTES = 2 * 1024 * 1024;

export interface HttpEndpoint {
  /** e.g. http://127.0.0.1:3100/mcp */
  url: string;
  close(): Promise<void>;
}

/** Compares a presented bearer token with the configured one in constant time (SHA-256 of both). */
export function tokenMatches(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function bearerToken(request: IncomingMessage): string | undefined {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

const jsonRpcError = (message: string, code = -32000) => ({ jsonrpc: '2.0', error: { code, message }, id: null });

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error(`request body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/**
 * Streamable HTTP on `options.host:options.port`, path /mcp, one MCP session (and McpServer) per
 * client. With a token every request needs `Authorization: Bearer <token>`; on a loopback address
 * the Host header must name that address (DNS rebinding protection).
 */
export async function startHttpTransport(
  options: HttpOptions,
  newServer: () => McpServer,
  logger: Logger,
): Promise<HttpEndpoint> {
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const lastSeen = new Map<string, number>();
  // Sessions a client abandoned without DELETE would fill the table: close those idle too long.
  const sweeper = setInterval(() => {
    const oldest = Date.now() - SESSION_IDLE_MS;
    for (const [id, seen] of lastSeen) {
      if (seen < oldest) {
        logger.info({ session: id }, 'closing an idle MCP session');
        lastSeen.delete(id);
        void sessions.get(id)?.close();
        sessions.delete(id);
      }
    }
  }, 60_000);
  sweeper.unref();
  let port = options.port;
  const loopback = isLoopback(options.host);

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== MCP_PATH)
      return sendJson(response, 404, jsonRpcError(`not found: the endpoint is ${MCP_PATH}`));
    if (options.token) {
      const presented = bearerToken(request);
      if (!presented || !tokenMatches(presented, options.token)) {
        logger.warn({ remote: request.socket.remoteAddress }, 'HTTP request without a valid bearer token');
        return sendJson(response, 401, jsonRpcError('a valid bearer token is required'), {
          'www-authenticate': 'Bearer realm="plue-mcp-database"',
        });
      }
    }
    const sessionId = request.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const transport = sessions.get(sessionId);
      if (!transport) return sendJson(response, 404, jsonRpcError('unknown or expired MCP session', -32001));
      lastSeen.set(sessionId, Date.now());
      const body = request.method === 'POST' ? await readJson(request) : undefined;
      return transport.handleRequest(request, response, body);
    }
    if (request.method !== 'POST') {
      return sendJson(response, 400, jsonRpcError('no MCP session: start one with an initialize request'));
    }
    const body = await readJson(request);
    if (!isInitializeRequest(body)) {
      return sendJson(response, 400, jsonRpcError('no MCP session: start one with an initialize request'));
    }
    if (sessions.size >= MAX_SESSIONS) {
      return sendJson(response, 503, jsonRpcError(`too many MCP sessions (at most ${MAX_SESSIONS})`));
    }
    const hosts = [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `${options.host}:${port}`];
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, transport);
        lastSeen.set(id, Date.now());
      },
      onsessionclosed: (id) => {
        sessions.delete(id);
        lastSeen.delete(id);
      },
      ...(loopback ? { enableDnsRebindingProtection: true, allowedHosts: hosts } : {}),
    });
    transport.onclose = () => {
      if (transport.sessionId) {
        sessions.delete(transport.sessionId);
        lastSeen.delete(transport.sessionId);
      }
    };
    await newServer().connect(transport);
    await transport.handleRequest(request, response, body);
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: Error) => {
      logger.warn({ err: error.message }, 'HTTP request failed');
      if (!response.headersSent) sendJson(response, 400, jsonRpcError(error.message, -32700));
      else response.end();
    });
  });
  // Longer than clients keep idle connections, so that no request meets a socket being closed.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const hostInUrl = options.host.includes(':') && !options.host.startsWith('[') ? `[${options.host}]` : options.host;
  const endpoint = `http://${hostInUrl}:${port}${MCP_PATH}`;
  return {
    url: endpoint,
    close: async () => {
      clearInterval(sweeper);
      await Promise.all([...sessions.values()].map((transport) => transport.close().catch(() => undefined)));
      sessions.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
