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
