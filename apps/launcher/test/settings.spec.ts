import path from 'node:path';
import { readSettings, repoRoot } from '../src/settings';

describe("the launcher's settings", () => {
  it('defaults to the embedded database, NATS on 4222 and health ports 8081-8084 under .data', () => {
    const settings = readSettings({});
    expect(settings).toMatchObject({
      databaseUrl: undefined,
      natsUrl: undefined,
      natsPort: 4222,
      embeddedPostgresPort: 54320,
      dataDir: path.join(repoRoot, '.data'),
      healthPorts: { auth: 8081, git: 8082, collaboration: 8083, agent: 8084 },
      logLevel: 'info',
      serviceDatabaseUrls: {},
    });
  });

  it('reads the per-service database URLs and a health port base of 0 (each service picks a free port)', () => {
    const settings = readSettings({ PLUE_GIT_DATABASE_URL: 'postgres://plue_git@db/plue', PLUE_HEALTH_PORT_BASE: '0' });
    expect(settings.serviceDatabaseUrls).toEqual({ git: 'postgres://plue_git@db/plue' });
    expect(settings.healthPorts).toEqual({ auth: 0, git: 0, collaboration: 0, agent: 0 });
  });

  it('refuses a port that is not one, naming the variable', () => {
    expect(() => readSettings({ PLUE_NATS_PORT: '0' })).toThrow(
      'PLUE_NATS_PORT must be a port number (1-65535), got "0"',
    );
    expect(() => readSettings({ PLUE_HEALTH_PORT_BASE: 'x' })).toThrow('PLUE_HEALTH_PORT_BASE must be a port number');
    expect(() => readSettings({ PLUE_READY_TIMEOUT_MS: '-1' })).toThrow('PLUE_READY_TIMEOUT_MS must be a positive');
  });
});
