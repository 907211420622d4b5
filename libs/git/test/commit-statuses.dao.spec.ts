import { MissingReferenceError, ValidationError } from '@plue/db';
import {
  combineStates,
  COMMIT_STATUS_STATES,
  CommitStatusesDao,
  RepositoriesDao,
  type CommitStatusState,
} from '@plue/git';
import { insertUser, insertWorkflowDefinition, insertWorkflowRun, useTestDatabase } from '@plue/testing';
import { countRows, sha, useGitDataSource } from './fixtures';

const database = useTestDatabase();
const gitDataSource = useGitDataSource(database);
const dao = () => new CommitStatusesDao(gitDataSource());

async function newRepository(): Promise<{ id: number; user_id: number }> {
  const ownerId = (await insertUser(await database().connect())).id as number;
  const repository = await new RepositoriesDao(gitDataSource()).create({ ownerId, name: 'built' });
  return { id: repository.id, user_id: ownerId };
}

describe('CommitStatusesDao', () => {
  it('upserts one row per repository, commit and context', async () => {
    const repo = await newRepository();
    const commitSha = sha();
    const first = await dao().upsert({
      repoId: repo.id,
      commitSha,
      context: 'ci',
      state: 'pending',
      targetUrl: 'https://ci.example/1',
    });
    const second = await dao().upsert({
      repoId: repo.id,
      commitSha,
      context: 'ci',
      state: 'success',
      description: 'green',
    });
    expect(second).toMatchObject({ id: first.id, state: 'success', description: 'green', targetUrl: null });
    await dao().upsert({ repoId: repo.id, commitSha, context: 'lint', state: 'failure' });
    await dao().upsert({ repoId: repo.id, commitSha: sha(), context: 'ci', state: 'error' });
    expect((await dao().listForCommit(repo.id, commitSha)).map((status) => [status.context, status.state])).toEqual([
      ['ci', 'success'],
      ['lint', 'failure'],
    ]);
    expect(await countRows(await database().connect(), 'commit_statuses', repo.id)).toBe(3);
  });

  it('uses the context "default" when none is given', async () => {
    const repo = await newRepository();
    expect(await dao().upsert({ repoId: repo.id, commitSha: sha(), state: 'success' })).toMatchObject({
      context: 'default',
    });
  });

  it('links a status to the agent domain’s workflow run, and the link clears when the run goes', async () => {
    const client = await database().connect();
    const repo = await newRepository();
    const run = (await insertWorkflowRun(client, await insertWorkflowDefinition(client, repo))) as { id: number };
    const status = await dao().upsert({ repoId: repo.id, commitSha: sha(), state: 'pending', workflowRunId: run.id });
    expect(status.workflowRunId).toBe(run.id);
    await client.query('DELETE FROM workflow_runs WHERE id = $1', [run.id]);
    expect((await dao().listForCommit(repo.id, status.commitSha))[0].workflowRunId).toBeNull();

    const error = await dao()
      .upsert({ repoId: repo.id, commitSha: sha(), state: 'pending', workflowRunId: 987654321 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MissingReferenceError);
    expect((error as MissingReferenceError).details.constraint).toBe('commit_statuses_workflow_run_id_fkey');
  });

  it.each([
    ['an unknown state', { state: 'skipped' }, 'state'],
    ['a javascript: target URL', { state: 'success', targetUrl: 'javascript:alert(1)' }, 'targetUrl'],
    ['a too long description', { state: 'success', description: 'x'.repeat(1025) }, 'description'],
    ['an empty context', { state: 'success', context: '' }, 'context'],
    ['an abbreviated commit', { state: 'success', commitSha: 'abc1234' }, 'commitSha'],
  ])('refuses %s before SQL and writes nothing', async (_label, fields, field) => {
    const repo = await newRepository();
    const error = await dao()
      .upsert({ repoId: repo.id, commitSha: sha(), ...fields } as never)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).details.field).toBe(field);
    expect(await countRows(await database().connect(), 'commit_statuses', repo.id)).toBe(0);
  });

  it('combines to pending, with a total of 0, when nothing has reported', async () => {
    const repo = await newRepository();
    expect(await dao().combinedStatus(repo.id, sha())).toEqual({ state: 'pending', total: 0 });
  });

  it('combines in SQL exactly as combineStates does, for every set of states', async () => {
    const repo = await newRepository();
    const subsets = Array.from({ length: 16 }, (_, mask) =>
      COMMIT_STATUS_STATES.filter((_state, bit) => mask & (1 << bit)),
    );
    const commits = subsets.map(() => sha());
    for (const [i, states] of subsets.entries()) {
      for (const state of states)
        await dao().upsert({ repoId: repo.id, commitSha: commits[i], context: `ctx-${state}`, state });
    }
    const combined = await dao().combinedStatuses(repo.id, commits);
    for (const [i, states] of subsets.entries()) {
      expect([states, combined.get(commits[i])]).toEqual([
        states,
        { state: combineStates(states as CommitStatusState[]), total: states.length },
      ]);
    }
  });

  it('combines only the statuses of the asked repository', async () => {
    const [mine, theirs] = [await newRepository(), await newRepository()];
    const commitSha = sha();
    await dao().upsert({ repoId: mine.id, commitSha, state: 'success' });
    await dao().upsert({ repoId: theirs.id, commitSha, state: 'error' });
    expect(await dao().combinedStatus(mine.id, commitSha)).toEqual({ state: 'success', total: 1 });
  });
});
