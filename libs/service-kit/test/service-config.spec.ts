import { ConfigurationError } from '@plue/db';
import { z } from 'zod';
import { readServiceConfig } from '../src/service-config';

const noExtras = z.object({});

it('reads the shared variables with their defaults', () => {
  const config = readServiceConfig('git-service', noExtras, {
    DATABASE_URL: 'postgres://plue_git@db:5432/plue',
    NATS_URL: 'nats://a:4222, nats://b:4222',
  });
  expect(config).toMatchObject({
    service: 'git-service',
    database: { url: 'postgres://plue_git@db:5432/plue', applicationName: 'git-service', poolSize: 10 },
    natsUrl: 'nats://a:4222, nats://b:4222',
    healthPort: 8080,
    logLevel: 'info',
    shutdownTimeoutMs: 25_000,
    maxRelayLagMs: 60_000,
  });
});

it('reads service-specific settings through the service’s own schema', () => {
  const extras = z.object({ RUNNER_TOKEN_TTL_S: z.coerce.number().int().positive() });
  const config = readServiceConfig('agent-service', extras, {
    DATABASE_URL: 'postgres://plue_agent@db/plue',
    NATS_URL: 'nats://nats:4222',
    RUNNER_TOKEN_TTL_S: '600',
  });
  expect(config.extras).toEqual({ RUNNER_TOKEN_TTL_S: 600 });
});

it('refuses with one message naming every bad variable, shared, database and extra alike', () => {
  const extras = z.object({ RUNNER_TOKEN_TTL_S: z.coerce.number().int().positive() });
  const read = () =>
    readServiceConfig('agent-service', extras, {
      DATABASE_URL: 'mysql://db/plue',
      NATS_URL: 'http://nats',
      HEALTH_PORT: '70000',
      LOG_LEVEL: 'chatty',
    });
  let refusal: unknown;
  try {
    read();
  } catch (error) {
    refusal = error;
  }
  expect(refusal).toBeInstanceOf(ConfigurationError);
  const message = (refusal as ConfigurationError).message;
  expect(message).toMatch(/^agent-service cannot start, fix its environment: /);
  for (const variable of ['DATABASE_URL', 'NATS_URL', 'HEALTH_PORT', 'LOG_LEVEL', 'RUNNER_TOKEN_TTL_S']) {
    expect(message).toContain(variable);
  }
});
