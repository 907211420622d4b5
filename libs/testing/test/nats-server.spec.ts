import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { transformFileSync } from '@swc/core';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { startNatsServer, type NatsServer } from '@plue/testing';

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function eventually(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function messageCount(url: string, stream: string): Promise<number> {
  const nc = await connect({ servers: url });
  try {
    const info = await (await jetstreamManager(nc)).streams.info(stream);
    return info.state.messages;
  } finally {
    await nc.close();
  }
}

describe('startNatsServer', () => {
  let server: NatsServer;

  beforeAll(async () => {
    server = await startNatsServer();
  });

  afterAll(async () => {
    await server.stop();
  });

  it('runs JetStream on a free 127.0.0.1 port with a temporary store', async () => {
    expect(server.url).toBe(`nats://127.0.0.1:${server.port}`);
    expect(server.port).not.toBe(4222);
    expect(existsSync(server.storeDir)).toBe(true);

    const nc = await connect({ servers: server.url });
    try {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: 'HARNESS', subjects: ['harness.>'] });
      const ack = await jetstream(nc).publish('harness.one', 'hello');
      expect(ack.seq).toBe(1);
    } finally {
      await nc.close();
    }
  });

  it('keeps JetStream state and the port across kill and restart', async () => {
    const { port } = server;
    const firstPid = server.pid;
    await server.kill();
    expect(server.running).toBe(false);
    await expect(connect({ servers: server.url, reconnect: false, timeout: 500 })).rejects.toThrow();

    await server.restart();
    expect(server.port).toBe(port);
    expect(server.pid).not.toBe(firstPid);
    expect(await messageCount(server.url, 'HARNESS')).toBe(1);

    await server.restart(); // while running: graceful stop, then start
    expect(await messageCount(server.url, 'HARNESS')).toBe(1);
  });

  it('freezes on pause() and answers again after resume()', async () => {
    const nc = await connect({ servers: server.url });
    try {
      server.pause();
      await expect(nc.request('nobody.home', '', { timeout: 300 })).rejects.toThrow();
      server.resume();
      const jsm = await jetstreamManager(nc);
      expect((await jsm.streams.info('HARNESS')).state.messages).toBe(1);
    } finally {
      await nc.close();
    }
  });

  it('stop() ends the process and removes the temporary store; a paused server stops too', async () => {
    const other = await startNatsServer();
    const pid = other.pid as number;
    other.pause();
    await other.stop();
    expect(processAlive(pid)).toBe(false);
    expect(existsSync(other.storeDir)).toBe(false);
    await other.stop(); // idempotent
  });
});

describe('startNatsServer cleanup', () => {
  let workDir: string;

  beforeAll(() => {
    // A real child process that can be SIGKILLed: the harness compiled to plain CommonJS.
    workDir = mkdtempSync(path.join(tmpdir(), 'plue-nats-harness-'));
    const source = path.join(__dirname, '../src/nats-server.ts');
    const swcrc = JSON.parse(readFileSync(path.join(__dirname, '../../../.swcrc'), 'utf8'));
    delete swcrc.$schema;
    const { code } = transformFileSync(source, { ...swcrc, swcrc: false, sourceMaps: false });
    writeFileSync(path.join(workDir, 'nats-server.js'), code);
    writeFileSync(
      path.join(workDir, 'owner.js'),
      `require('./nats-server.js').startNatsServer().then((s) => {
         process.stdout.write(JSON.stringify({ pid: s.pid, storeDir: s.storeDir }) + '\\n');
         if (process.argv[2] === 'exit') process.exit(0);
         setInterval(() => undefined, 1000);
       });`,
    );
  });

  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  async function runOwner(mode: 'exit' | 'linger'): Promise<{ owner: number; pid: number; storeDir: string }> {
    const owner = spawn(process.execPath, [path.join(workDir, 'owner.js'), mode], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = await new Promise<string>((resolve, reject) => {
      let text = '';
      owner.stdout.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        if (text.includes('\n')) resolve(text.split('\n')[0]);
      });
      owner.once('exit', (code) => reject(new Error(`owner exited early (${code})`)));
    });
    return { owner: owner.pid as number, ...JSON.parse(line) };
  }

  it('kills the server when its owner exits without stopping it', async () => {
    const { pid, storeDir } = await runOwner('exit');
    await eventually(() => !processAlive(pid));
    await eventually(() => !existsSync(storeDir));
  });

  it('kills the server when its owner is SIGKILLed', async () => {
    const { owner, pid, storeDir } = await runOwner('linger');
    expect(processAlive(pid)).toBe(true);
    process.kill(owner, 'SIGKILL');
    await eventually(() => !processAlive(pid));
    await eventually(() => !existsSync(storeDir));
  });

  it('explains how to install nats-server when it is missing', async () => {
    const saved = process.env.NATS_SERVER_BIN;
    process.env.NATS_SERVER_BIN = path.join(workDir, 'no-such-nats-server');
    try {
      await expect(startNatsServer()).rejects.toThrow(/not an executable file\. .*apt-get install nats-server/);
    } finally {
      if (saved === undefined) delete process.env.NATS_SERVER_BIN;
      else process.env.NATS_SERVER_BIN = saved;
    }
  });
});
