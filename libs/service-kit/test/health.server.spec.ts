import { HealthServer, type HealthCheck } from '../src/health.server';

const passing: HealthCheck = { name: 'database', run: async () => ({ ok: true, latencyMs: 1 }) };
const failing: HealthCheck = {
  name: 'nats',
  run: async () => {
    throw new Error('connection closed');
  },
};
const hanging: HealthCheck = { name: 'messaging', run: () => new Promise(() => undefined) };

async function get(port: number, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

let server: HealthServer | undefined;
afterEach(() => server?.close());

it('is ready when every check passes, and not ready while draining', async () => {
  server = new HealthServer([passing]);
  const port = await server.listen(0);

  expect(await get(port, '/health/ready')).toEqual({
    status: 200,
    body: { ready: true, checks: { database: { ok: true, latencyMs: 1 } } },
  });
  server.markDraining();
  expect(await get(port, '/health/ready')).toMatchObject({
    status: 503,
    body: { ready: false, checks: { shutdown: { ok: false } } },
  });
  expect((await get(port, '/health/live')).status).toBe(200);
});

it('names each failed check, including one that does not answer in time', async () => {
  server = new HealthServer([passing, failing, hanging]);
  const port = await server.listen(0);

  const { status, body } = await get(port, '/health/ready');
  expect(status).toBe(503);
  expect(body.checks).toEqual({
    database: { ok: true, latencyMs: 1 },
    nats: { ok: false, error: 'connection closed' },
    messaging: { ok: false, error: 'no answer within 2000 ms' },
  });
});
