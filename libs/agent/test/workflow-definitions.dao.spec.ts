import { NotFoundError, ValidationError } from '@plue/db';
import { insertRepository, insertWorkflowDefinition, useTestDatabase } from '@plue/testing';
import type { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { WorkflowDefinitionsDao } from '../src';
import { contentHash, countAgentRows, DIAMOND_PLAN, openDataSource } from './fixtures';

describe('WorkflowDefinitionsDao', () => {
  const database = useTestDatabase();
  let dataSource: DataSource;
  let definitions: WorkflowDefinitionsDao;
  let admin: Client;

  beforeAll(async () => {
    dataSource = await openDataSource(database());
    definitions = new WorkflowDefinitionsDao(dataSource);
    admin = await database().connect();
  });
  afterAll(() => dataSource?.destroy());

  async function newRepoId(): Promise<number> {
    return (await insertRepository(admin)).id as number;
  }

  it('upserts by (repository, file path): a second upsert replaces the content and reactivates', async () => {
    const repoId = await newRepoId();
    const first = await definitions.upsert({
      repoId,
      name: 'CI',
      filePath: '.plue/workflows/ci.yml',
      triggers: [{ event: 'push', branches: ['main'] }],
      plan: DIAMOND_PLAN,
      contentHash: contentHash('v1'),
    });
    expect(first).toMatchObject({
      repoId,
      name: 'CI',
      isActive: true,
      nextRunNumber: 1,
      contentHash: contentHash('v1'),
    });
    expect(first.plan.steps.map((step) => step.id)).toEqual(['build', 'test', 'lint', 'deploy']);
    expect(first.plan.steps[1].depends_on).toEqual(['build']);

    await definitions.deactivate(first.id);
    const second = await definitions.upsert({
      repoId,
      name: 'CI v2',
      filePath: '.plue/workflows/ci.yml',
      triggers: [{ event: 'manual' }],
      plan: { steps: [{ id: 'only', name: 'Only', type: 'llm', prompt: 'Summarize' }] },
      contentHash: contentHash('v2'),
    });
    expect(second).toMatchObject({ id: first.id, name: 'CI v2', isActive: true, triggers: [{ event: 'manual' }] });
    expect(await definitions.listForRepo(repoId)).toHaveLength(1);
  });

  it('refuses an invalid plan or trigger list, naming the problem, and writes nothing', async () => {
    const repoId = await newRepoId();
    const base = {
      repoId,
      name: 'Bad',
      filePath: 'bad.yml',
      triggers: [{ event: 'push' }],
      contentHash: contentHash('bad'),
    };
    const before = await countAgentRows(admin);
    const cycle = {
      steps: [
        { id: 'build', name: 'Build', type: 'shell', run: ['make'], depends_on: ['test'] },
        { id: 'test', name: 'Test', type: 'shell', run: ['make', 'test'], depends_on: ['build'] },
      ],
    };
    await expect(definitions.upsert({ ...base, plan: cycle })).rejects.toThrow('cycle: build -> test -> build');
    await expect(
      definitions.upsert({
        ...base,
        plan: { steps: [{ id: 'x', name: 'X', type: 'shell', run: 'make && make install' }] },
      }),
    ).rejects.toThrow(ValidationError);
    await expect(
      definitions.upsert({ ...base, plan: DIAMOND_PLAN, triggers: [{ event: 'push', branches: 'main' }] }),
    ).rejects.toThrow(ValidationError);
    await expect(
      definitions.upsert({ ...base, plan: DIAMOND_PLAN, triggers: [{ event: 'issue', mentions: ['plue-bot'] }] }),
    ).rejects.toMatchObject({ issues: [{ field: 'triggers.0.mentions.0', message: expect.any(String) }] });
    await expect(definitions.upsert({ ...base, plan: DIAMOND_PLAN, contentHash: 'ABC' })).rejects.toThrow(
      ValidationError,
    );
    await expect(definitions.upsert({ ...base, plan: DIAMOND_PLAN, filePath: '../outside.yml' })).rejects.toThrow(
      ValidationError,
    );
    expect(await countAgentRows(admin)).toEqual(before);
  });

  it('finds the active definitions whose triggers match the event type AND its filters', async () => {
    const repoId = await newRepoId();
    const upsert = (name: string, triggers: unknown[]) =>
      definitions.upsert({
        repoId,
        name,
        filePath: `${name}.yml`,
        triggers,
        plan: DIAMOND_PLAN,
        contentHash: contentHash(name),
      });
    const onMain = await upsert('main-only', [{ event: 'push', branches: ['main'] }]);
    const onReleases = await upsert('releases', [{ event: 'push', branches: ['release/**'] }]);
    const anyPush = await upsert('any-push', [{ event: 'push' }]);
    const onIssues = await upsert('issues', [{ event: 'issue', types: ['opened'] }]);
    const retired = await upsert('retired', [{ event: 'push' }]);
    await definitions.deactivate(retired.id);
    const elsewhere = await newRepoId();
    await definitions.upsert({
      repoId: elsewhere,
      name: 'other repo',
      filePath: 'ci.yml',
      triggers: [{ event: 'push' }],
      plan: DIAMOND_PLAN,
      contentHash: contentHash('other'),
    });

    const names = async (event: Parameters<WorkflowDefinitionsDao['findMatching']>[1]) =>
      (await definitions.findMatching(repoId, event)).map((definition) => definition.id);
    // The origin matched on event type alone: a push to a feature branch started main-only too.
    expect(await names({ type: 'push', branch: 'feature/login' })).toEqual([anyPush.id]);
    expect((await names({ type: 'push', branch: 'main' })).sort()).toEqual([anyPush.id, onMain.id].sort());
    expect((await names({ type: 'push', branch: 'release/2.0/rc1' })).sort()).toEqual(
      [anyPush.id, onReleases.id].sort(),
    );
    expect(await names({ type: 'issue', action: 'opened' })).toEqual([onIssues.id]);
    expect(await names({ type: 'issue', action: 'closed' })).toEqual([]);
    expect(await names({ type: 'manual' })).toEqual([]);
  });

  it('ignores stored triggers it cannot read instead of matching them', async () => {
    const repo = await insertRepository(admin);
    await insertWorkflowDefinition(admin, repo, { triggers: JSON.stringify([{ event: 'push', branches: 'main' }]) });
    expect(await definitions.findMatching(repo.id as number, { type: 'push', branch: 'main' })).toEqual([]);
  });

  it('deactivates, and reports an unknown definition as not found', async () => {
    const repoId = await newRepoId();
    const definition = await definitions.upsert({
      repoId,
      name: 'Nightly',
      filePath: 'nightly.yml',
      triggers: [{ event: 'manual' }],
      plan: DIAMOND_PLAN,
      contentHash: contentHash('nightly'),
    });
    expect((await definitions.deactivate(definition.id)).isActive).toBe(false);
    expect(await definitions.findMatching(repoId, { type: 'manual' })).toEqual([]);
    expect(await definitions.listForRepo(repoId)).toEqual([]);
    expect(await definitions.listForRepo(repoId, { includeInactive: true })).toHaveLength(1);
    await expect(definitions.deactivate(55_555_555)).rejects.toThrow(NotFoundError);
    expect(await definitions.getById(55_555_555)).toBeNull();
  });
});
