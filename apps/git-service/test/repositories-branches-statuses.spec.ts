import {
  ArchiveRepositoryRpc,
  DeleteBranchRpc,
  DeleteRepositoryRpc,
  GetBranchRpc,
  GetCombinedCommitStatusRpc,
  GetRepositoryByNameRpc,
  GetRepositoryRpc,
  ListBranchesRpc,
  ListCommitStatusesRpc,
  RenameBranchRpc,
  UnarchiveRepositoryRpc,
  UpdateRepositoryRpc,
  UpsertCommitStatusRpc,
} from '@plue/contracts';
import { insertIssue, insertRepository, insertUser } from '@plue/testing';
import { rpcFailure } from './rpc-failure';
import { useGitService } from './service-under-test';

const git = useGitService();
const sha = (digit: string) => digit.repeat(40);

async function insertBranch(repoId: number, name: string, commitId = sha('a')): Promise<void> {
  await git().admin.query('INSERT INTO branches (repo_id, name, commit_id) VALUES ($1, $2, $3)', [
    repoId,
    name,
    commitId,
  ]);
}

describe('repositories', () => {
  it('finds a repository by owner and name, updates, archives, unarchives and deletes it', async () => {
    const { rpc, admin, count } = git();
    const owner = await insertUser(admin);
    const repository = await insertRepository(admin, { user_id: owner.id, name: 'Plue-Core' });
    const repoId = repository.id as number;

    const byUsername = await rpc.call(GetRepositoryByNameRpc, {
      owner: (owner.username as string).toUpperCase(),
      name: 'plue-core',
    });
    const byOwnerId = await rpc.call(GetRepositoryByNameRpc, { owner: owner.id as number, name: 'PLUE-CORE' });
    expect(byUsername).toMatchObject({ id: repoId, ownerId: owner.id, name: 'Plue-Core' });
    expect(byOwnerId.id).toBe(repoId);

    const updated = await rpc.call(UpdateRepositoryRpc, {
      repoId,
      description: 'the forge',
      isPublic: false,
      defaultBranch: 'trunk',
      topics: ['forge', 'git'],
    });
    expect(updated).toMatchObject({
      description: 'the forge',
      isPublic: false,
      defaultBranch: 'trunk',
      topics: ['forge', 'git'],
    });
    expect(await rpc.call(ArchiveRepositoryRpc, { repoId })).toMatchObject({ isArchived: true });
    expect(await rpc.call(UnarchiveRepositoryRpc, { repoId })).toMatchObject({ isArchived: false });

    await insertBranch(repoId, 'trunk');
    // Another domain's rows go too: the foreign keys cascade as their tables' owner, not as plue_git.
    await insertIssue(admin, repository);
    expect(await rpc.call(DeleteRepositoryRpc, { repoId })).toEqual({ deleted: true, repoId });
    expect(await count('repositories', 'id = $1', [repoId])).toBe(0);
    expect(await count('branches', 'repo_id = $1', [repoId])).toBe(0);
    expect(await count('issues', 'repo_id = $1', [repoId])).toBe(0);
    expect(await rpcFailure(rpc, GetRepositoryRpc, { repoId })).toMatchObject({ code: 'not_found' });
  });

  it('refuses a bad update naming the field and changes nothing', async () => {
    const { rpc, admin } = git();
    const repository = await insertRepository(admin, { description: 'before', topics: ['kept'] });
    const repoId = repository.id as number;
    const snapshot = async () =>
      (await admin.query('SELECT description, topics, updated_at FROM repositories WHERE id = $1', [repoId])).rows;
    const before = await snapshot();

    const badTopic = await rpcFailure(rpc, UpdateRepositoryRpc, { repoId, description: 'after', topics: ['Not OK'] });
    expect(badTopic).toMatchObject({
      code: 'validation_failed',
      details: { issues: [{ field: 'topics.0', message: expect.stringContaining('lowercase') }] },
    });
    const badBranch = await rpcFailure(rpc, UpdateRepositoryRpc, { repoId, defaultBranch: 'two words' });
    expect(badBranch).toMatchObject({ code: 'validation_failed', details: { issues: [{ field: 'defaultBranch' }] } });
    const nothing = await rpcFailure(rpc, UpdateRepositoryRpc, { repoId });
    expect(nothing).toMatchObject({
      code: 'validation_failed',
      details: { issues: [{ field: '(input)', message: 'names no field to change' }] },
    });
    expect(await snapshot()).toEqual(before);
  });

  it('answers not_found for a repository that does not exist', async () => {
    const { rpc, admin } = git();
    const owner = await insertUser(admin);
    const missing = 987_654_321;
    expect(await rpcFailure(rpc, GetRepositoryByNameRpc, { owner: owner.username, name: 'nope' })).toMatchObject({
      code: 'not_found',
      details: { field: 'name' },
    });
    expect(await rpcFailure(rpc, UpdateRepositoryRpc, { repoId: missing, isPublic: true })).toMatchObject({
      code: 'not_found',
    });
    expect(await rpcFailure(rpc, DeleteRepositoryRpc, { repoId: missing })).toMatchObject({ code: 'not_found' });
  });
});

describe('branches', () => {
  it('lists live branches page by page, renames one (the old name follows) and soft-deletes it', async () => {
    const { rpc, admin } = git();
    const repository = await insertRepository(admin);
    const repoId = repository.id as number;
    for (const name of ['main', 'feature/a', 'dev']) await insertBranch(repoId, name);

    const first = await rpc.call(ListBranchesRpc, { repoId, limit: 2 });
    expect(first.items.map((branch) => branch.name)).toEqual(['dev', 'feature/a']);
    const second = await rpc.call(ListBranchesRpc, { repoId, limit: 2, after: first.nextCursor as string });
    expect(second).toMatchObject({ items: [{ name: 'main' }], nextCursor: null });

    const renamed = await rpc.call(RenameBranchRpc, { repoId, from: 'feature/a', to: 'feature/b' });
    expect(renamed).toMatchObject({ repoId, name: 'feature/b', commitId: sha('a') });
    expect(await rpc.call(GetBranchRpc, { repoId, name: 'feature/a' })).toMatchObject({
      id: renamed.id,
      name: 'feature/b',
    });

    const deleted = await rpc.call(DeleteBranchRpc, {
      repoId,
      name: 'feature/b',
      actorId: repository.user_id as number,
    });
    expect(deleted).toEqual({
      deleted: true,
      branchId: renamed.id,
      name: 'feature/b',
      deletedById: repository.user_id,
    });
    const { rows } = await admin.query('SELECT is_deleted, deleted_by_id::int FROM branches WHERE id = $1', [
      renamed.id,
    ]);
    expect(rows).toEqual([{ is_deleted: true, deleted_by_id: repository.user_id }]);
    expect((await rpc.call(ListBranchesRpc, { repoId })).items.map((branch) => branch.name)).toEqual(['dev', 'main']);
    expect(await rpcFailure(rpc, GetBranchRpc, { repoId, name: 'feature/b' })).toMatchObject({ code: 'not_found' });
  });

  it('refuses bad branch names naming the field and writes nothing', async () => {
    const { rpc, admin, count } = git();
    const repository = await insertRepository(admin);
    const repoId = repository.id as number;
    await insertBranch(repoId, 'topic');
    const live = () => count('branches', 'repo_id = $1 AND NOT is_deleted', [repoId]);
    const renames = () => count('renamed_branches', 'repo_id = $1', [repoId]);

    expect(await rpcFailure(rpc, DeleteBranchRpc, { repoId, name: 'topic..x', actorId: null })).toMatchObject({
      code: 'validation_failed',
      details: { issues: [{ field: 'name', message: expect.stringContaining('..') }] },
    });
    expect(await rpcFailure(rpc, RenameBranchRpc, { repoId, from: 'topic', to: 'two words' })).toMatchObject({
      code: 'validation_failed',
      details: { issues: [{ field: 'to' }] },
    });
    expect(await rpcFailure(rpc, DeleteBranchRpc, { repoId, name: 'topic' })).toMatchObject({
      code: 'validation_failed',
      details: { issues: [{ field: 'actorId' }] },
    });
    expect(await live()).toBe(1);
    expect(await renames()).toBe(0);
  });

  it('keeps the default branch, refuses a taken name and reports missing branches and actors', async () => {
    const { rpc, admin, count } = git();
    const repository = await insertRepository(admin);
    const repoId = repository.id as number;
    await insertBranch(repoId, 'main');
    await insertBranch(repoId, 'topic');

    expect(await rpcFailure(rpc, DeleteBranchRpc, { repoId, name: 'main', actorId: null })).toMatchObject({
      code: 'conflict',
      details: { field: 'name' },
    });
    expect(await rpcFailure(rpc, RenameBranchRpc, { repoId, from: 'topic', to: 'main' })).toMatchObject({
      code: 'conflict',
    });
    expect(await rpcFailure(rpc, DeleteBranchRpc, { repoId, name: 'gone', actorId: null })).toMatchObject({
      code: 'not_found',
      details: { field: 'name' },
    });
    expect(await rpcFailure(rpc, DeleteBranchRpc, { repoId, name: 'topic', actorId: 987_654_321 })).toMatchObject({
      code: 'missing_reference',
    });
    expect(await count('branches', 'repo_id = $1 AND NOT is_deleted', [repoId])).toBe(2);
  });
});

describe('commit statuses', () => {
  it('combines the statuses of a commit and lists them by context', async () => {
    const { rpc, admin } = git();
    const repository = await insertRepository(admin);
    const repoId = repository.id as number;
    const commitSha = sha('c');
    await rpc.call(UpsertCommitStatusRpc, { repoId, commitSha, context: 'lint', state: 'success' });
    await rpc.call(UpsertCommitStatusRpc, { repoId, commitSha, context: 'build', state: 'pending' });

    const pending = await rpc.call(GetCombinedCommitStatusRpc, { repoId, commitSha });
    expect(pending).toMatchObject({ repoId, commitSha, state: 'pending', total: 2 });
    expect(pending.statuses.map((status) => [status.context, status.state])).toEqual([
      ['build', 'pending'],
      ['lint', 'success'],
    ]);
    await rpc.call(UpsertCommitStatusRpc, { repoId, commitSha, context: 'build', state: 'failure' });
    expect(await rpc.call(GetCombinedCommitStatusRpc, { repoId, commitSha })).toMatchObject({
      state: 'failure',
      total: 2,
    });
    const listed = await rpc.call(ListCommitStatusesRpc, { repoId, commitSha });
    expect(listed.items.map((status) => [status.context, status.state])).toEqual([
      ['build', 'failure'],
      ['lint', 'success'],
    ]);

    expect(await rpc.call(GetCombinedCommitStatusRpc, { repoId, commitSha: sha('d') })).toEqual({
      repoId,
      commitSha: sha('d'),
      state: 'pending',
      total: 0,
      statuses: [],
    });
  });

  it('refuses a malformed commit sha naming the field', async () => {
    const { rpc, admin } = git();
    const repository = await insertRepository(admin);
    expect(
      await rpcFailure(rpc, GetCombinedCommitStatusRpc, { repoId: repository.id, commitSha: 'C'.repeat(40) }),
    ).toMatchObject({ code: 'validation_failed', details: { issues: [{ field: 'commitSha' }] } });
  });
});
