import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { findNatsServerBinary, startNatsServer, useTestDatabase, type NatsServer } from '@plue/testing';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { descendants, freePort, launch, survivors, type Launch } from './launch';

jest.setTimeout(180_000);

const database = useTestDatabase();
let nats: NatsServer;
let dataDir: string;
let running: Launch | undefined;

beforeAll(async () => {
  nats = await startNatsServer();
});

afterAll(async () => {
  await nats?.stop();
});

beforeEach(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'plue-launcher-'));
});

afterEach(async () => {
  // A failed test must not leave a launcher running: SIGKILL, and its watchdog stops the rest.
  if (running && running.child.exitCode === null && running.child.signalCode === null) {
    running.child.kill('SIGKILL');
    await running.exited;
  }
  running = undefined;
  rmSync(dataDir, { recursive: true, force: true });
});

function environment(extra: Record<string, string>): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    DATABASE_URL: database().url,
    // Four services share the machine's PostgreSQL with every other test run.
    DATABASE_POOL_SIZE: '2',
    PLUE_HEALTH_PORT_BASE: '0',
    PLUE_DATA_DIR: dataDir,
    ...extra,
  };
}

async function createUser(natsUrl: string, username: string): Promise<Record<string, unknown>> {
  const connection = await connect({ servers: natsUrl });
  try {
    const id = randomUUID();
    const message = await connection.request('plue.rpc.auth.user.create', JSON.stringify({ id, data: { username } }), {
      timeout: 10_000,
    });
    return message.json<Record<string, unknown>>();
  } finally {
    await connection.close();
  }
}

describe('npm start (the built launcher)', () => {
  it('brings the four services up on the given database and NATS, and Ctrl-C stops them all', async () => {
    running = launch(environment({ NATS_URL: nats.url }));
    const services = await running.up();

    expect(services.map(({ name, role }) => [name, role])).toEqual([
      ['auth-service', 'plue_auth'],
      ['git-service', 'plue_git'],
      ['collaboration-service', 'plue_collaboration'],
      ['agent-service', 'plue_agent'],
    ]);
    for (const service of services) {
      const response = await fetch(service.healthUrl);
      expect([service.name, response.status]).toEqual([service.name, 200]);
    }
    const username = `launched-${randomUUID().slice(0, 8)}`;
    const reply = await createUser(nats.url, username);
    expect(reply).toMatchObject({ response: { username } });
    const { rows } = await (await database().connect()).query('SELECT 1 FROM users WHERE username = $1', [username]);
    expect(rows).toHaveLength(1);

    const tree = descendants(running.child.pid!);
    expect(tree).toEqual(expect.arrayContaining(services.map((service) => service.pid)));
    running.signalGroup('SIGINT');
    expect(await running.exited).toBe(0);
    expect(await survivors(tree, 5000)).toEqual([]);
    expect(running.output()).toContain('stopped.');
  });

  it('starts a nats-server of its own when none answers, with JetStream, and stops it on Ctrl-C', async () => {
    const port = await freePort();
    running = launch(
      environment({
        PATH: `${path.dirname(findNatsServerBinary())}${path.delimiter}${process.env.PATH ?? ''}`,
        PLUE_NATS_PORT: String(port),
      }),
    );
    await running.up();

    const natsLine = new RegExp(`NATS +nats://127\\.0\\.0\\.1:${port} \\(started by the launcher.*, pid (\\d+)\\)`);
    const natsPid = Number(natsLine.exec(running.output())?.[1]);
    expect(natsPid).toBeGreaterThan(0);
    const connection = await connect({ servers: `nats://127.0.0.1:${port}` });
    const info = await (await jetstreamManager(connection)).getAccountInfo();
    await connection.close();
    expect(info.streams).toBeGreaterThan(0);
    expect(existsSync(path.join(dataDir, 'nats', 'jetstream'))).toBe(true);

    const tree = descendants(running.child.pid!);
    expect(tree).toContain(natsPid);
    running.signalGroup('SIGINT');
    expect(await running.exited).toBe(0);
    expect(await survivors(tree, 5000)).toEqual([]);
  });

  it('stops with a message saying how to install nats-server when no NATS answers and none is on PATH', async () => {
    const path_ = '/usr/bin:/bin';
    for (const directory of path_.split(':')) expect(existsSync(path.join(directory, 'nats-server'))).toBe(false);
    running = launch(environment({ PATH: path_, PLUE_NATS_PORT: String(await freePort()) }));

    expect(await running.exited).toBe(1);
    const output = running.output();
    expect(output).toContain('nats-server is not on PATH');
    expect(output).toContain('apt install nats-server');
    expect(output).toContain('https://nats.io/download/');
    expect(output).not.toContain('Plue is up');
  });

  it('refuses a NATS server without JetStream, saying so', async () => {
    const plain = await startNatsServer({ jetstream: false });
    try {
      running = launch(environment({ NATS_URL: plain.url }));
      expect(await running.exited).toBe(1);
      expect(running.output()).toMatch(/NATS_URL=nats:\/\/127\.0\.0\.1:\d+: JetStream is not enabled/);
    } finally {
      await plain.stop();
    }
  });

  it('stops everything and exits non-zero with its last lines when a service cannot start', async () => {
    // Nothing listens on port 1: auth-service cannot reach its database and exits.
    running = launch(
      environment({ NATS_URL: nats.url, PLUE_AUTH_DATABASE_URL: 'postgres://plue_auth@127.0.0.1:1/plue' }),
    );
    // Every process the launcher had at any time while it ran.
    const tree = new Set<number>();
    while (running.child.exitCode === null) {
      for (const pid of descendants(running.child.pid!)) tree.add(pid);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    expect(await running.exited).toBe(1);
    expect(running.output()).toMatch(/auth-service exited during start \(code 1\)\. Its last lines:\n[^]*ECONNREFUSED/);
    expect(running.output()).not.toContain('Plue is up');
    expect(tree.size).toBeGreaterThan(4);
    expect(await survivors([...tree], 5000)).toEqual([]);
  });

  it('leaves nothing behind when the launcher itself is killed: its watchdog stops what it started', async () => {
    running = launch(environment({ NATS_URL: nats.url }));
    const services = await running.up();
    const tree = descendants(running.child.pid!);
    expect(tree).toEqual(expect.arrayContaining(services.map((service) => service.pid)));

    running.child.kill('SIGKILL');
    await running.exited;
    expect(await survivors(tree, 60_000)).toEqual([]);
  });
});
