import { connect, type NatsConnection } from '@nats-io/transport-node';
import { createHash, randomUUID } from 'node:crypto';
import type { Client } from 'pg';
import {
  builtMain,
  eventually,
  insertUser,
  spawnService,
  startNatsServer,
  stopService,
  unique,
  useTestDatabase,
  waitUntilReady,
  type NatsServer,
  type ServiceProcess,
} from '@plue/testing';

// DESIGN §4 flows 2 and 3 across the real built services: a push through git-service creates a run in
// agent-service (plue.git.branch.pushed); a runner completes it through agent-service; git-service sets
// the commit status of the pushed sha (plue.agent.workflow_run.completed).

const database = useTestDatabase();
let nats: NatsServer;
let gitService: ServiceProcess | undefined;
let agentService: ServiceProcess | undefined;
let connection: NatsConnection;
let admin: Client;

type Json = Record<string, unknown>;

/** One request over plain NATS in the wire format of libs/contracts/src/rpc/README.md. */
async function call<T = Json>(pattern: string, data: Json): Promise<T> {
  const id = randomUUID();
  const message = await connection.request(pattern, JSON.stringify({ id, data }), { timeout: 10_000 });
  const reply = message.json<{ id: string; response?: T; err?: Json }>();
  if (reply.err) throw new Error(`${pattern} failed: ${JSON.stringify(reply.err)}`);
  expect(reply.id).toBe(id);
  return reply.response as T;
}

async function expectReady(healthPort: number): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${healthPort}/health/ready`);
  expect(response.status).toBe(200);
  expect(((await response.json()) as { ready: boolean }).ready).toBe(true);
}

const sha = (text: string) => createHash('sha1').update(text).digest('hex');

beforeAll(async () => {
  nats = await startNatsServer();
  const common = { NATS_URL: nats.url, HEALTH_PORT: '0', LOG_LEVEL: 'debug' };
  gitService = spawnService('git-service', builtMain('@plue/git-service'), {
    ...common,
    DATABASE_URL: database().urlFor('plue_git'),
  });
  agentService = spawnService('agent-service', builtMain('@plue/agent-service'), {
    ...common,
    DATABASE_URL: database().urlFor('plue_agent'),
  });
  const [gitPort, agentPort] = await Promise.all([waitUntilReady(gitService), waitUntilReady(agentService)]);
  await Promise.all([expectReady(gitPort), expectReady(agentPort)]);
  connection = await connect({ servers: nats.url });
  admin = await database().connect();
});

afterAll(async () => {
  await Promise.all([stopService(gitService), stopService(agentService)]);
  await connection?.close();
  await admin?.end();
  await nats?.stop();
});

interface Run {
  id: number;
  ref: string;
  headCommitSha: string | null;
  status: string;
}

async function recentRuns(repoId: number): Promise<Run[]> {
  return (await call<{ items: Run[] }>('plue.rpc.agent.workflow_run.list_recent', { repoId, limit: 100 })).items;
}

it('runs the workflow of a push to main and sets the commit status from its result (DESIGN §4 flows 2 and 3)', async () => {
  const user = await insertUser(admin);
  const repository = await call<{ id: number }>('plue.rpc.git.repository.create', {
    ownerId: user.id as number,
    name: unique('e2e-'),
  });
  const repoId = repository.id;

  const definition = await call<{ id: number }>('plue.rpc.agent.workflow_definition.upsert', {
    repoId,
    name: 'ci',
    filePath: '.plue/workflows/ci.yml',
    triggers: [{ event: 'push', branches: ['main'] }],
    plan: {
      steps: [
        { id: 'build', name: 'Build', type: 'shell', run: ['npm', 'run', 'build'] },
        { id: 'test', name: 'Test', type: 'shell', run: ['npm', 'test'], depends_on: ['build'] },
      ],
    },
    contentHash: createHash('sha256').update('ci').digest('hex'),
  });

  // A branch the trigger does not match, pushed first: its event is consumed before main's.
  const featureSha = sha(unique('feature'));
  await call('plue.rpc.git.branch.push', {
    repoId,
    branch: 'feature/x',
    headCommitSha: featureSha,
    pusherId: user.id as number,
  });
  const mainSha = sha(unique('main'));
  const pushed = await call<{ created: boolean }>('plue.rpc.git.branch.push', {
    repoId,
    branch: 'main',
    headCommitSha: mainSha,
    commitMessage: 'e2e',
    pusherId: user.id as number,
  });
  expect(pushed.created).toBe(true);

  // Flow 2: agent-service consumed plue.git.branch.pushed and created the run.
  const run = await eventually(async () => (await recentRuns(repoId)).find((item) => item.headCommitSha === mainSha));
  expect(run).toMatchObject({ ref: 'main', status: expect.stringMatching(/^(queued|running)$/) });

  // A runner completes every step with success.
  const runner = await call<{ id: number }>('plue.rpc.agent.runner.register', { podName: unique('runner-') });
  const completed: string[] = [];
  let finalStatus: string | undefined;
  for (let round = 0; round < 50 && finalStatus === undefined; round += 1) {
    const { step } = await call<{ step: { id: number; runId: number; stepKey: string } | null }>(
      'plue.rpc.agent.workflow_step.claim',
      { runnerId: runner.id },
    );
    if (step === null) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      continue;
    }
    expect(step.runId).toBe(run.id);
    const result = await call<{ run: Run }>('plue.rpc.agent.workflow_step.complete', {
      runnerId: runner.id,
      stepId: step.id,
      status: 'success',
      exitCode: 0,
    });
    completed.push(step.stepKey);
    if (result.run.status === 'success' || result.run.status === 'failure') finalStatus = result.run.status;
  }
  expect(completed).toEqual(['build', 'test']);
  expect(finalStatus).toBe('success');

  // Flow 3: git-service consumed plue.agent.workflow_run.completed and set the commit status.
  const status = await eventually(async () => {
    const { rows } = await admin.query(
      `SELECT context, state, workflow_run_id::int AS run_id FROM commit_statuses
        WHERE repo_id = $1 AND commit_sha = $2 AND state = 'success'`,
      [repoId, mainSha],
    );
    return rows[0] as { context: string; state: string; run_id: number } | undefined;
  });
  expect(status).toEqual({ context: `workflow/${definition.id}`, state: 'success', run_id: run.id });

  // The non-matching push created no run and no status, once agent-service has handled both pushes.
  await eventually(async () => {
    const handled = agentService!.logs.filter(
      (line) => line.msg === 'message handled' && line.subject === 'plue.git.branch.pushed',
    ).length;
    return handled >= 2 ? handled : undefined;
  });
  const runs = await recentRuns(repoId);
  expect(runs.map((item) => item.ref)).toEqual(['main']);
  expect(runs.some((item) => item.headCommitSha === featureSha)).toBe(false);
  const { rows } = await admin.query('SELECT count(*)::int AS n FROM commit_statuses WHERE commit_sha = $1', [
    featureSha,
  ]);
  expect(rows[0].n).toBe(0);
});
