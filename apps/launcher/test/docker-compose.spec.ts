import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
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
  entrypoint?: string[];
  stop_grace_period?: string;
}

// There is no Docker engine where these tests run: they check the file's structure, not containers.
const repoRoot = path.resolve(__dirname, '../../..');
const DOMAINS = ['auth', 'git', 'collaboration', 'agent'];

const compose = parse(readFileSync(path.join(repoRoot, 'docker-compose.yml'), 'utf8')) as {
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

  it('gives each service role its password from the environment once the migrations have run', () => {
    const job = compose.services['role-passwords'];
    expect(job.restart).toBe('no');
    expect(job.depends_on?.migrator).toEqual({ condition: 'service_completed_successfully' });
    const script = [...(job.entrypoint ?? []), ...(job.command ?? [])].join('\n');
    expect(script).toContain('ON_ERROR_STOP=1');
    for (const domain of DOMAINS) {
      const variable = `${domain.toUpperCase()}_PASSWORD`;
      expect(job.environment?.[variable]).toMatch(new RegExp(`^\\$\\{PLUE_${domain.toUpperCase()}_DB_PASSWORD:\\?`));
      // psql quotes :'name' as a literal; $$ is compose's escape for the shell's $.
      expect(script).toContain(`-v ${domain}="$$${variable}"`);
      expect(script).toContain(`ALTER ROLE plue_${domain} PASSWORD :'${domain}';`);
    }
  });

  it("runs a health check whose command exits 0 only while readiness answers 200 (the image's node)", async () => {
    let status = 200;
    const server = createServer((request, response) => {
      response.writeHead(request.url === '/health/ready' ? status : 404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const script = compose.services['auth-service'].healthcheck!.test[3].replace(':8080/', `:${port}/`);
    const exitCode = () =>
      promisify(execFile)(process.execPath, ['-e', script]).then(
        () => 0,
        (error: { code: number }) => error.code,
      );
    try {
      expect(await exitCode()).toBe(0);
      status = 503;
      expect(await exitCode()).toBe(1);
    } finally {
      server.close();
    }
    status = 200;
    expect(await exitCode()).toBe(1);
  });

  describe.each(DOMAINS)('%s-service', (domain) => {
    const name = `${domain}-service`;
    const service = compose.services[name];

    it('is built from the Dockerfile as its app', () => {
      expect(service.build?.args?.APP).toBe(name);
      expect(existsSync(path.join(repoRoot, 'apps', name, 'src/main.ts'))).toBe(true);
    });

    it('connects as its own role to the compose database and NATS', () => {
      expect(service.environment?.DATABASE_URL).toBe(
        `postgres://plue_${domain}:\${PLUE_${domain.toUpperCase()}_DB_PASSWORD:?set PLUE_${domain.toUpperCase()}_DB_PASSWORD}@postgres:5432/plue`,
      );
      expect(service.environment?.NATS_URL).toBe('nats://nats:4222');
    });

    it('is healthy when its readiness check on its HEALTH_PORT passes', () => {
      const port = service.environment?.HEALTH_PORT;
      expect(port).toMatch(/^\d+$/);
      const [kind, ...command] = service.healthcheck?.test ?? [];
      expect(kind).toBe('CMD');
      expect(command.slice(0, 2)).toEqual(['node', '-e']);
      expect(command[2]).toContain(`fetch('http://127.0.0.1:${port}/health/ready')`);
      expect(command[2]).toMatch(/process\.exit\(r\.ok \? 0 : 1\), \(\) => process\.exit\(1\)/);
    });

    it('starts after the migrations and role passwords, with NATS healthy, and has time to drain', () => {
      expect(service.depends_on).toEqual({
        migrator: { condition: 'service_completed_successfully' },
        'role-passwords': { condition: 'service_completed_successfully' },
        nats: { condition: 'service_healthy' },
      });
      expect(Number.parseInt(service.stop_grace_period ?? '10s', 10)).toBeGreaterThan(25);
    });
  });

  it('keeps passwords out of the file', () => {
    const passwords = Object.values(compose.services)
      .flatMap((service) => Object.values(service.environment ?? {}))
      .filter((value) => /PASSWORD|:[^/@]+@/.test(value));
    expect(passwords.length).toBeGreaterThan(0);
    for (const value of passwords) expect(value).toMatch(/\$\{(POSTGRES_PASSWORD|PLUE_[A-Z]+_DB_PASSWORD)/);
  });
});
