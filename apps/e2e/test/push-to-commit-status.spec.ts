import { createHash } from 'node:crypto';
import { eventually, insertUser, unique, useTestDatabase } from '@plue/testing';
import { handledEvents, startPlatform, type Platform } from './support/platform';

// DESIGN §4 flows 2 and 3 across the real built services: a push through git-service creates a run in
// agent-service (plue.git.branch.pushed); a runner completes it through agent-service; git-service sets
// the commit status of the pushed sha (plue.agent.workflow_run.completed).

const database = useTestDatabase();
let platform: Platform;

const sha = (text: string) => createHash('sha1').update(text).digest('hex');

beforeAll(async () => {
  platform = await startPlatform(database(), ['git', 'agent']);
});

afterAll(async () => {
  await platform?.stop();
});

interface Run {
  id: number;
  ref: string;
  headCommitSha: string | null;
  status: string;
}

async function recentRuns(repoId: number): Promise<Run[]> {
  return (await platform.call<{ items: Run[] }>('plue.rpc.agent.workflow_run.list_recent', { repoId, limit: 100 }))
    .items;
}

it('runs the workflow of a push to main and sets the commit status from its result (DESIGN §4 flows 2 and 3)', async () => {
  const user = await insertUser(platform.admin);
  const repository = await platform.call<{ id: number }>('plue.rpc.git.repository.create', {
    ownerId: user.id as number,
    name: unique('e2e-'),
  });
  const repoId = repository.id;

  const definition = await platform.call<{ id: number }>('plue.rpc.agent.workflow_definition.upsert', {
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
  await platform.call('plue.rpc.git.branch.push', {
    repoId,
    branch: 'feature/x',
    headCommitSha: featureSha,
    pusherId: user.id as number,
  });
  const mainSha = sha(unique('main'));
  const pushed = await platform.call<{ created: boolean }>('plue.rpc.git.branch.push', {
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
  const runner = await platform.call<{ id: number }>('plue.rpc.agent.runner.register', { podName: unique('runner-') });
  const completed: string[] = [];
  let finalStatus: string | undefined;
  for (let round = 0; round < 50 && finalStatus === undefined; round += 1) {
    const { step } = await platform.call<{ step: { id: number; runId: number; stepKey: string } | null }>(
      'plue.rpc.agent.workflow_step.claim',
      { runnerId: runner.id },
    );
    if (step === null) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      continue;
    }
    expect(step.runId).toBe(run.id);
    const result = await platform.call<{ run: Run }>('plue.rpc.agent.workflow_step.complete', {
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
    const { rows } = await platform.admin.query(
      `SELECT context, state, workflow_run_id::int AS run_id FROM commit_statuses
        WHERE repo_id = $1 AND commit_sha = $2 AND state = 'success'`,
      [repoId, mainSha],
    );
    return rows[0] as { context: string; state: string; run_id: number } | undefined;
  });
  expect(status).toEqual({ context: `workflow/${definition.id}`, state: 'success', run_id: run.id });

  // The non-matching push created no run and no status, once agent-service has handled both pushes.
  await eventually(async () => {
    const handled = await handledEvents(platform.admin, 'agent', ['plue.git.branch.pushed']);
    return handled >= 2 ? handled : undefined;
  });
  const runs = await recentRuns(repoId);
  expect(runs.map((item) => item.ref)).toEqual(['main']);
  expect(runs.some((item) => item.headCommitSha === featureSha)).toBe(false);
  const { rows } = await platform.admin.query('SELECT count(*)::int AS n FROM commit_statuses WHERE commit_sha = $1', [
    featureSha,
  ]);
  expect(rows[0].n).toBe(0);
});
