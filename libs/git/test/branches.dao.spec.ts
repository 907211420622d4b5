import { ConflictError, inTransaction, MissingReferenceError, NotFoundError, ValidationError } from '@plue/db';
import { BranchesDao, ProtectedBranchesDao, RepositoriesDao } from '@plue/git';
import { insertUser, useTestDatabase } from '@plue/testing';
import { countRows, dataSourceFor, sha, useGitDataSource } from './fixtures';

const database = useTestDatabase();
const gitDataSource = useGitDataSource(database);
const dao = () => new BranchesDao(gitDataSource());
const repositories = () => new RepositoriesDao(gitDataSource());

async function newUserId(): Promise<number> {
  return (await insertUser(await database().connect())).id as number;
}

async function newRepositoryId(defaultBranch = 'main'): Promise<number> {
  return (await repositories().create({ ownerId: await newUserId(), name: 'code', defaultBranch })).id;
}

describe('BranchesDao.upsertOnPush', () => {
  it('creates a branch on the first push and moves it on the next', async () => {
    const repoId = await newRepositoryId();
    const [alice, bob] = [await newUserId(), await newUserId()];
    const firstCommit = sha();
    const first = await dao().upsertOnPush({
      repoId,
      name: 'feature/x',
      commitId: firstCommit,
      pusherId: alice,
      commitTime: new Date('2024-01-01T00:00:00Z'),
    });
    expect(first.created).toBe(true);
    expect(first.branch).toMatchObject({
      repoId,
      name: 'feature/x',
      commitId: firstCommit,
      pusherId: alice,
      isDeleted: false,
    });
    expect(first.branch.commitTime?.toISOString()).toBe('2024-01-01T00:00:00.000Z');

    const secondCommit = sha();
    const second = await dao().upsertOnPush({
      repoId,
      name: 'feature/x',
      commitId: secondCommit,
      pusherId: bob,
      commitMessage: 'fix',
    });
    expect(second.created).toBe(false);
    expect(second.branch).toMatchObject({
      id: first.branch.id,
      commitId: secondCommit,
      pusherId: bob,
      commitMessage: 'fix',
      commitTime: null,
    });
    expect(await countRows(await database().connect(), 'branches', repoId)).toBe(1);
  });

  it('keeps one live branch when the first pushes race on separate connections', async () => {
    const repoId = await newRepositoryId();
    const sources = [0, 1, 2, 3].map(() => dataSourceFor(database().urlFor('plue_git'), 1));
    await Promise.all(sources.map((source) => source.initialize()));
    try {
      const results = await Promise.all(
        sources.map((source) => new BranchesDao(source).upsertOnPush({ repoId, name: 'race', commitId: sha() })),
      );
      expect(results.filter((result) => result.created)).toHaveLength(1);
    } finally {
      await Promise.all(sources.map((source) => source.destroy()));
    }
    expect(await countRows(await database().connect(), 'branches', repoId)).toBe(1);
  });

  it('starts a new branch when pushing to the name of a deleted one, keeping the deleted row', async () => {
    const repoId = await newRepositoryId();
    const old = await dao().upsertOnPush({ repoId, name: 'topic', commitId: sha() });
    await dao().softDelete(repoId, 'topic', null);
    const reborn = await dao().upsertOnPush({ repoId, name: 'topic', commitId: sha() });
    expect(reborn.created).toBe(true);
    expect(reborn.branch.id).not.toBe(old.branch.id);
    expect(await countRows(await database().connect(), 'branches', repoId)).toBe(2);
  });

  it.each([
    ['an uppercase commit id', { name: 'main', commitId: 'A'.repeat(40) }, 'commitId'],
    ['a short commit id', { name: 'main', commitId: 'abc' }, 'commitId'],
    ['an invalid branch name', { name: 'bad name', commitId: sha() }, 'name'],
    ['a branch name ending in .lock', { name: 'x.lock', commitId: sha() }, 'name'],
  ])('refuses %s before SQL and writes nothing', async (_label, fields, field) => {
    const repoId = await newRepositoryId();
    const error = await dao()
      .upsertOnPush({ repoId, ...fields })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).details.field).toBe(field);
    expect(await countRows(await database().connect(), 'branches', repoId)).toBe(0);
  });

  it('reports an unknown repository as a missing reference', async () => {
    const error = await dao()
      .upsertOnPush({ repoId: 987654321, name: 'main', commitId: sha() })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MissingReferenceError);
    expect((error as MissingReferenceError).details.constraint).toBe('branches_repo_id_fkey');
  });
});

describe('BranchesDao.softDelete and listLive', () => {
  it('marks the branch deleted, by whom and when, and hides it from lookups and lists', async () => {
    const repoId = await newRepositoryId();
    const deleter = await newUserId();
    await dao().upsertOnPush({ repoId, name: 'main', commitId: sha() });
    await dao().upsertOnPush({ repoId, name: 'old', commitId: sha() });
    const deleted = await dao().softDelete(repoId, 'old', deleter);
    expect(deleted).toMatchObject({ isDeleted: true, deletedById: deleter, deletedAt: expect.any(Date) });
    expect(await dao().get(repoId, 'old')).toBeNull();
    expect((await dao().listLive(repoId)).items.map((branch) => branch.name)).toEqual(['main']);
    await expect(dao().softDelete(repoId, 'old', deleter)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('refuses to delete the default branch', async () => {
    const repoId = await newRepositoryId('trunk');
    await dao().upsertOnPush({ repoId, name: 'trunk', commitId: sha() });
    await expect(dao().softDelete(repoId, 'trunk', null)).rejects.toBeInstanceOf(ConflictError);
    expect(await dao().get(repoId, 'trunk')).not.toBeNull();
  });

  it('lists live branches by name, a page at a time', async () => {
    const repoId = await newRepositoryId();
    for (const name of ['b', 'd', 'a', 'c']) await dao().upsertOnPush({ repoId, name, commitId: sha() });
    const first = await dao().listLive(repoId, { limit: 3 });
    expect(first.items.map((branch) => branch.name)).toEqual(['a', 'b', 'c']);
    const second = await dao().listLive(repoId, { limit: 3, after: first.nextCursor ?? undefined });
    expect(second).toMatchObject({ items: [{ name: 'd' }], nextCursor: null });
  });
});

describe('BranchesDao.rename', () => {
  it('renames, records the rename, and resolves the old name to the branch', async () => {
    const repoId = await newRepositoryId();
    const pushed = await dao().upsertOnPush({ repoId, name: 'master', commitId: sha() });
    const renamed = await dao().rename(repoId, 'master', 'primary');
    expect(renamed).toMatchObject({ id: pushed.branch.id, name: 'primary' });
    expect(await dao().get(repoId, 'master')).toMatchObject({ id: pushed.branch.id, name: 'primary' });
    const client = await database().connect();
    const { rows } = await client.query('SELECT from_name, to_name FROM renamed_branches WHERE repo_id = $1', [repoId]);
    expect(rows).toEqual([{ from_name: 'master', to_name: 'primary' }]);
  });

  it('follows chains of renames, the latest rename of a name winning', async () => {
    const repoId = await newRepositoryId();
    const first = await dao().upsertOnPush({ repoId, name: 'a', commitId: sha() });
    await dao().rename(repoId, 'a', 'b');
    await dao().rename(repoId, 'b', 'c');
    expect((await dao().get(repoId, 'a'))?.id).toBe(first.branch.id);

    const second = await dao().upsertOnPush({ repoId, name: 'a', commitId: sha() });
    await dao().rename(repoId, 'a', 'z');
    expect((await dao().get(repoId, 'a'))?.id).toBe(second.branch.id);
    expect((await dao().get(repoId, 'b'))?.id).toBe(first.branch.id);
  });

  it('prefers a live branch of the old name over the redirect', async () => {
    const repoId = await newRepositoryId();
    await dao().upsertOnPush({ repoId, name: 'old', commitId: sha() });
    await dao().rename(repoId, 'old', 'new');
    const recreated = await dao().upsertOnPush({ repoId, name: 'old', commitId: sha() });
    expect((await dao().get(repoId, 'old'))?.id).toBe(recreated.branch.id);
  });

  it('ends a lookup through a cycle of renames without a live branch', async () => {
    const repoId = await newRepositoryId();
    await dao().upsertOnPush({ repoId, name: 'x', commitId: sha() });
    await dao().rename(repoId, 'x', 'y');
    await dao().rename(repoId, 'y', 'x');
    await dao().softDelete(repoId, 'x', null);
    expect(await dao().get(repoId, 'y')).toBeNull();
    expect(await dao().get(repoId, 'x')).toBeNull();
  });

  it('moves the default branch and a protection rule named after the branch along', async () => {
    const repoId = await newRepositoryId('master');
    await dao().upsertOnPush({ repoId, name: 'master', commitId: sha() });
    const rule = await new ProtectedBranchesDao(gitDataSource()).create({
      repoId,
      ruleName: 'master',
      requiredApprovals: 1,
    });
    await dao().rename(repoId, 'master', 'main');
    expect((await repositories().getById(repoId))?.defaultBranch).toBe('main');
    expect((await new ProtectedBranchesDao(gitDataSource()).getById(rule.id))?.ruleName).toBe('main');
  });

  it('refuses to rename onto a live branch, naming the unique index, and writes nothing', async () => {
    const repoId = await newRepositoryId();
    await dao().upsertOnPush({ repoId, name: 'one', commitId: sha() });
    await dao().upsertOnPush({ repoId, name: 'two', commitId: sha() });
    const error = await dao()
      .rename(repoId, 'one', 'two')
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).details.constraint).toBe('branches_repo_id_name_key');
    const client = await database().connect();
    expect(await countRows(client, 'renamed_branches', repoId)).toBe(0);
    expect((await dao().get(repoId, 'one'))?.name).toBe('one');
  });

  it('refuses bad names before SQL and reports a missing branch', async () => {
    const repoId = await newRepositoryId();
    await dao().upsertOnPush({ repoId, name: 'one', commitId: sha() });
    await expect(dao().rename(repoId, 'one', 'one')).rejects.toBeInstanceOf(ValidationError);
    await expect(dao().rename(repoId, 'one', 'no..pe')).rejects.toBeInstanceOf(ValidationError);
    await expect(dao().rename(repoId, 'absent', 'other')).rejects.toBeInstanceOf(NotFoundError);
    expect(await countRows(await database().connect(), 'renamed_branches', repoId)).toBe(0);
  });

  it('joins the caller’s transaction: a rollback undoes the rename and its record', async () => {
    const repoId = await newRepositoryId();
    await dao().upsertOnPush({ repoId, name: 'keep', commitId: sha() });
    await expect(
      inTransaction(gitDataSource(), async (tx) => {
        await dao().rename(repoId, 'keep', 'changed', tx);
        throw new Error('the service changed its mind');
      }),
    ).rejects.toThrow('changed its mind');
    expect((await dao().get(repoId, 'keep'))?.name).toBe('keep');
    expect(await countRows(await database().connect(), 'renamed_branches', repoId)).toBe(0);
  });
});
