import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

interface ComposeService {
  image?: string;
  build?: { args?: Record<string, string> };
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  restart?: string;
}

const compose = parse(readFileSync(path.resolve(__dirname, '../../../docker-compose.yml'), 'utf8')) as {
  services: Record<string, ComposeService>;
};

describe('docker-compose.yml', () => {
  it('runs PostgreSQL 16 with a readiness health check', () => {
    const postgres = compose.services.postgres;
    expect(postgres.image).toMatch(/^postgres:16(\.|$|-)/);
    expect(postgres.healthcheck?.test.join(' ')).toContain('pg_isready');
  });

  it('runs NATS with JetStream and a health check that requires JetStream', () => {
    const nats = compose.services.nats;
    expect(nats.image).toMatch(/^nats:/);
    expect(nats.command).toEqual(expect.arrayContaining(['--jetstream']));
    expect(nats.healthcheck?.test.join(' ')).toContain('healthz?js-enabled-only=true');
  });

  it('runs the migrator once, after the database is healthy', () => {
    const migrator = compose.services.migrator;
    expect(migrator.build?.args?.APP).toBe('migrator');
    expect(migrator.command).toEqual(['up']);
    expect(migrator.restart).toBe('no');
    expect(migrator.depends_on?.postgres).toEqual({ condition: 'service_healthy' });
    expect(migrator.environment?.DATABASE_URL).toMatch(/@postgres:5432\//);
  });

  it('keeps passwords out of the file', () => {
    const passwords = Object.values(compose.services)
      .flatMap((service) => Object.values(service.environment ?? {}))
      .filter((value) => /PASSWORD|:[^/@]+@/.test(value));
    expect(passwords.length).toBeGreaterThan(0);
    for (const value of passwords) expect(value).toMatch(/\$\{POSTGRES_PASSWORD/);
  });
});
