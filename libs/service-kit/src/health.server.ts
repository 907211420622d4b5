import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** One dependency's state as the readiness endpoint reports it. */
export interface CheckResult {
  ok: boolean;
  [detail: string]: unknown;
}

export interface HealthCheck {
  name: string;
  run(): Promise<CheckResult>;
}

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, CheckResult>;
}

/** A check that has not answered by then is failed: a readiness probe must answer promptly. */
const CHECK_TIMEOUT_MS = 2000;

async function runCheck(check: HealthCheck): Promise<CheckResult> {
  const timer = new AbortController();
  const timeout = sleep(CHECK_TIMEOUT_MS, undefined, { signal: timer.signal }).then(() => ({
    ok: false,
    error: `no answer within ${CHECK_TIMEOUT_MS} ms`,
  }));
  try {
    return await Promise.race([check.run(), timeout]);
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  } finally {
    timer.abort();
    timeout.catch(() => undefined); // the aborted timer rejects; nobody waits for it any more
  }
}

/**
 * Liveness and readiness over plain HTTP (no HTTP framework in a NATS service):
 * - `GET /health/live`: 200 while the process serves its event loop;
 * - `GET /health/ready`: 200 when every check passes and the service is not shutting down, else
 *   503; the body names each check's result either way.
 */
export class HealthServer {
  private server: Server | null = null;
  private draining = false;

  constructor(private readonly checks: readonly HealthCheck[]) {}

  async readiness(): Promise<ReadinessReport> {
    const results = await Promise.all(this.checks.map(runCheck));
    const checks = Object.fromEntries(this.checks.map((check, index) => [check.name, results[index]]));
    if (this.draining) checks.shutdown = { ok: false, reason: 'shutting down' };
    return { ready: Object.values(checks).every((result) => result.ok), checks };
  }

  /** From now on readiness fails, so a load balancer or launcher stops counting on this instance. */
  markDraining(): void {
    this.draining = true;
  }

  /** Listens on `port` (0: a free one) of every interface; resolves with the port. */
  async listen(port: number): Promise<number> {
    const server = createServer((request, response) => {
      const reply = (status: number, body: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      };
      if (request.method !== 'GET') return reply(405, { error: 'method not allowed' });
      if (request.url === '/health/live') return reply(200, { live: true });
      if (request.url === '/health/ready') {
        this.readiness().then(
          (report) => reply(report.ready ? 200 : 503, report),
          (error: unknown) => reply(503, { ready: false, error: String(error) }),
        );
        return;
      }
      reply(404, { error: 'not found: GET /health/live or /health/ready' });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, () => resolve());
    });
    return (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
