import { EXIT_CONFIGURATION } from '@plue/service-kit';
import { spawnService } from './agent-service-process';

it('refuses to start with one message naming every bad variable', async () => {
  const service = spawnService({ DATABASE_URL: 'mysql://localhost/plue', HEALTH_PORT: 'eighty' });

  expect(await service.exited).toBe(EXIT_CONFIGURATION);
  const message = service.stderr();
  expect(message).toMatch(/^agent-service cannot start/);
  expect(message).toContain('DATABASE_URL must be a postgres:// URL');
  expect(message).toContain('NATS_URL is required');
  expect(message).toContain('HEALTH_PORT');
  expect(message.trim().split('\n')).toHaveLength(1);
  expect(service.logs).toEqual([]);
});

it('refuses to start with a heartbeat timeout or reap interval that is not a positive number of seconds', async () => {
  const service = spawnService({
    DATABASE_URL: 'postgres://plue_agent@127.0.0.1:5432/plue',
    NATS_URL: 'nats://127.0.0.1:4222',
    RUNNER_HEARTBEAT_TIMEOUT_SECONDS: '0',
    RUNNER_REAP_INTERVAL_SECONDS: 'often',
  });

  expect(await service.exited).toBe(EXIT_CONFIGURATION);
  const message = service.stderr();
  expect(message).toMatch(/^agent-service cannot start/);
  expect(message).toContain('RUNNER_HEARTBEAT_TIMEOUT_SECONDS must be a positive number of seconds');
  expect(message).toContain('RUNNER_REAP_INTERVAL_SECONDS must be a number of seconds');
  expect(message).not.toContain('DATABASE_URL');
  expect(message.trim().split('\n')).toHaveLength(1);
});
