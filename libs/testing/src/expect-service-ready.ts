/** What a service's `/health/ready` reports, as far as the readiness assertions read it. */
interface ReadinessBody {
  ready: boolean;
  checks: {
    database: { ok: boolean };
    nats: { ok: boolean };
    messaging: { ok: boolean; relays: unknown[]; consumers: { subject: string }[] };
  };
}

/**
 * Asserts that a started service is live and ready with every check passing: the database, NATS, the
 * outbox relay of its schema, and exactly the durable consumers of `consumerSubjects`.
 */
export async function expectServiceReady(
  healthPort: number,
  expected: { relaySchema: string; consumerSubjects: string[] },
): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${healthPort}/health/ready`);
  const report = (await response.json()) as ReadinessBody;
  expect(response.status).toBe(200);
  expect(report.ready).toBe(true);
  expect(report.checks.database.ok).toBe(true);
  expect(report.checks.nats.ok).toBe(true);
  expect(report.checks.messaging).toMatchObject({ ok: true, relays: [{ schema: expected.relaySchema }] });
  expect(report.checks.messaging.consumers.map((consumer) => consumer.subject).sort()).toEqual(
    [...expected.consumerSubjects].sort(),
  );
  expect((await fetch(`http://127.0.0.1:${healthPort}/health/live`)).status).toBe(200);
}
