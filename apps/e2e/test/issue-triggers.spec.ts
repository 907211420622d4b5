import { createHash } from 'node:crypto';
import { eventually, insertUser, unique, useTestDatabase } from '@plue/testing';
import { handledEvents, startPlatform, type Platform } from './support/platform';

// DESIGN §4 flow 5 across the real built services: an issue opened and comments added through
// collaboration-service (plue.collaboration.issue.opened, plue.collaboration.comment.created)
// start the matching `issue` / `issue_comment` workflows in agent-service, including one that
// fires only when a bot user is @-mentioned.

const database = useTestDatabase();
let platform: Platform;

beforeAll(async () => {
  platform = await startPlatform(database(), ['git', 'collaboration', 'agent']);
});

afterAll(async () => {
  await platform?.stop();
});

interface Run {
  id: number;
  definitionId: number;
  workflowName: string;
  triggerType: string;
  ref: string | null;
  headCommitSha: string | null;
  status: string;
}

async function recentRuns(repoId: number): Promise<Run[]> {
  return (await platform.call<{ items: Run[] }>('plue.rpc.agent.workflow_run.list_recent', { repoId, limit: 100 }))
    .items;
}

/** Workflow names of the repository's runs, sorted. */
async function runNames(repoId: number): Promise<string[]> {
  return (await recentRuns(repoId)).map((run) => run.workflowName).sort();
}

it('starts issue workflows when an issue is opened and issue_comment workflows when it is commented on (DESIGN §4 flow 5)', async () => {
  const user = await insertUser(platform.admin);
  const bot = await insertUser(platform.admin);
  const repository = await platform.call<{ id: number }>('plue.rpc.git.repository.create', {
    ownerId: user.id as number,
    name: unique('e2e-'),
  });
  const repoId = repository.id;

  const upsert = (name: string, triggers: Record<string, unknown>[]) =>
    platform.call<{ id: number }>('plue.rpc.agent.workflow_definition.upsert', {
      repoId,
      name,
      filePath: `.plue/workflows/${name}.yml`,
      triggers,
      plan: { steps: [{ id: 'agent', name: 'Agent', type: 'agent', prompt: 'Triage this issue' }] },
      contentHash: createHash('sha256').update(name).digest('hex'),
    });
  await upsert('triage', [{ event: 'issue', types: ['opened'] }]);
  await upsert('reply', [{ event: 'issue_comment', types: ['created'] }]);
  await upsert('summon-bot', [{ event: 'issue_comment', mentions: [bot.id as number] }]);
  await upsert('on-close', [{ event: 'issue', types: ['closed'] }]);

  const issue = await platform.call<{ number: number }>('plue.rpc.collaboration.issue.create', {
    repoId,
    authorId: user.id as number,
    title: 'The build is red',
  });

  // issue.opened → the `issue` workflow with type `opened`; not the one for `closed`.
  const triage = await eventually(async () => (await recentRuns(repoId)).find((run) => run.workflowName === 'triage'));
  expect(triage).toMatchObject({ triggerType: 'issue', ref: null, headCommitSha: null, status: 'queued' });

  // A plain comment starts `reply`; a comment that mentions the bot starts `reply` and `summon-bot`.
  await platform.call('plue.rpc.collaboration.comment.create', {
    repoId,
    issueNumber: issue.number,
    authorId: user.id as number,
    body: 'Still red on main.',
  });
  await platform.call('plue.rpc.collaboration.comment.create', {
    repoId,
    issueNumber: issue.number,
    authorId: user.id as number,
    body: `@${String(bot.username)} please take a look`,
  });
  await eventually(async () => ((await recentRuns(repoId)).length >= 4 ? true : undefined));

  // Once agent-service has handled all three events, no other run is still coming.
  await eventually(async () => {
    const handled = await handledEvents(platform.admin, 'agent', [
      'plue.collaboration.issue.opened',
      'plue.collaboration.comment.created',
    ]);
    return handled === 3 ? true : undefined;
  });
  expect(await runNames(repoId)).toEqual(['reply', 'reply', 'summon-bot', 'triage']);
  const runs = await recentRuns(repoId);
  expect(runs.filter((run) => run.workflowName !== 'triage').every((run) => run.triggerType === 'issue_comment')).toBe(
    true,
  );
  expect(runs.every((run) => run.ref === null && run.headCommitSha === null)).toBe(true);
});
