import {
  AddCollaboratorRpc,
  AddStarRpc,
  GetRepositoryPermissionRpc,
  GetWatchRpc,
  ListCollaboratorsRpc,
  ListStargazersRpc,
  ListStarredRpc,
  ListWatchersRpc,
  RemoveCollaboratorRpc,
  RemoveStarRpc,
  RemoveWatchRpc,
  SetWatchRpc,
  UpdateCollaboratorRpc,
} from '@plue/contracts';
import { insertRepository, insertUser } from '@plue/testing';
import { rpcFailure } from './rpc-failure';
import { useGitService } from './service-under-test';

const git = useGitService();
const MISSING = 987_654_321;

async function newUserId(): Promise<number> {
  return (await insertUser(git().admin)).id as number;
}

describe('collaborators and permissions', () => {
  it('adds, changes, lists and removes collaborators, and the resulting permissions follow', async () => {
    const { rpc, admin, count } = git();
    const repository = await insertRepository(admin, { is_public: false });
    const repoId = repository.id as number;
    const [alice, bob, stranger] = [await newUserId(), await newUserId(), await newUserId()];
    const permissionOf = async (userId: number | null) =>
      (await rpc.call(GetRepositoryPermissionRpc, { repoId, userId })).permission;

    const added = await rpc.call(AddCollaboratorRpc, { repoId, userId: alice, permission: 'read' });
    expect(added).toMatchObject({ repoId, userId: alice, permission: 'read' });
    await rpc.call(AddCollaboratorRpc, { repoId, userId: bob, permission: 'admin' });
    expect(await rpc.call(UpdateCollaboratorRpc, { repoId, userId: alice, permission: 'write' })).toMatchObject({
      id: added.id,
      permission: 'write',
    });

    const first = await rpc.call(ListCollaboratorsRpc, { repoId, limit: 1 });
    expect(first).toMatchObject({ items: [{ userId: alice }], nextCursor: alice });
    const second = await rpc.call(ListCollaboratorsRpc, { repoId, after: first.nextCursor as number });
    expect(second).toMatchObject({ items: [{ userId: bob, permission: 'admin' }], nextCursor: null });

    expect(await permissionOf(repository.user_id as number)).toBe('admin');
    expect(await permissionOf(alice)).toBe('write');
    expect(await permissionOf(stranger)).toBeNull();
    expect(await permissionOf(null)).toBeNull();

    expect(await rpc.call(RemoveCollaboratorRpc, { repoId, userId: alice })).toEqual({ removed: true });
    expect(await rpc.call(RemoveCollaboratorRpc, { repoId, userId: alice })).toEqual({ removed: false });
    expect(await permissionOf(alice)).toBeNull();
    expect(await count('collaborators', 'repo_id = $1', [repoId])).toBe(1);
  });

  it('refuses an unknown permission naming the field and writes nothing', async () => {
    const { rpc, admin, count } = git();
    const repository = await insertRepository(admin);
    const before = await count('collaborators');

    const failure = await rpcFailure(rpc, AddCollaboratorRpc, {
      repoId: repository.id,
      userId: await newUserId(),
      permission: 'owner',
    });

    expect(failure).toMatchObject({ code: 'validation_failed', details: { issues: [{ field: 'permission' }] } });
    expect(await count('collaborators')).toBe(before);
  });

  it('answers conflict for the owner, not_found and missing_reference for what does not exist', async () => {
    const { rpc, admin, count } = git();
    const repository = await insertRepository(admin);
    const repoId = repository.id as number;
    const before = await count('collaborators');

    expect(
      await rpcFailure(rpc, AddCollaboratorRpc, { repoId, userId: repository.user_id, permission: 'read' }),
    ).toMatchObject({ code: 'conflict', details: { field: 'userId' } });
    expect(
      await rpcFailure(rpc, AddCollaboratorRpc, { repoId: MISSING, userId: await newUserId(), permission: 'read' }),
    ).toMatchObject({ code: 'not_found', details: { field: 'repoId' } });
    expect(await rpcFailure(rpc, AddCollaboratorRpc, { repoId, userId: MISSING, permission: 'read' })).toMatchObject({
      code: 'missing_reference',
    });
    expect(
      await rpcFailure(rpc, UpdateCollaboratorRpc, { repoId, userId: await newUserId(), permission: 'write' }),
    ).toMatchObject({ code: 'not_found', details: { field: 'userId' } });
    expect(await rpcFailure(rpc, GetRepositoryPermissionRpc, { repoId: MISSING, userId: null })).toMatchObject({
      code: 'not_found',
    });
    expect(await count('collaborators')).toBe(before);
  });
});

describe('stars', () => {
  it('stars and unstars idempotently and lists stargazers and starred repositories', async () => {
    const { rpc, admin } = git();
    const [first, second] = [await insertRepository(admin), await insertRepository(admin)];
    const [ada, bo] = [await newUserId(), await newUserId()];

    expect(await rpc.call(AddStarRpc, { userId: ada, repoId: first.id as number })).toEqual({ changed: true });
    expect(await rpc.call(AddStarRpc, { userId: ada, repoId: first.id as number })).toEqual({ changed: false });
    await rpc.call(AddStarRpc, { userId: bo, repoId: first.id as number });
    await rpc.call(AddStarRpc, { userId: ada, repoId: second.id as number });

    const gazers = await rpc.call(ListStargazersRpc, { repoId: first.id as number, limit: 1 });
    expect(gazers).toMatchObject({ items: [{ userId: ada, repoId: first.id }], nextCursor: ada, total: 2 });
    const rest = await rpc.call(ListStargazersRpc, { repoId: first.id as number, after: ada });
    expect(rest).toMatchObject({ items: [{ userId: bo }], nextCursor: null, total: 2 });
    const starred = await rpc.call(ListStarredRpc, { userId: ada });
    expect(starred.items.map((star) => star.repoId)).toEqual([first.id, second.id]);

    expect(await rpc.call(RemoveStarRpc, { userId: ada, repoId: first.id as number })).toEqual({ changed: true });
    expect(await rpc.call(RemoveStarRpc, { userId: ada, repoId: first.id as number })).toEqual({ changed: false });
    expect((await rpc.call(ListStargazersRpc, { repoId: first.id as number })).total).toBe(1);
  });

  it('refuses a bad request naming the field and writes nothing; an unknown repository is missing_reference', async () => {
    const { rpc, admin, count } = git();
    const repository = await insertRepository(admin);
    const userId = await newUserId();
    const before = await count('stars');

    expect(await rpcFailure(rpc, AddStarRpc, { userId, repoId: -1 })).toMatchObject({
      code: 'validation_failed',
      details: { issues: [{ field: 'repoId' }] },
    });
    expect(await rpcFailure(rpc, AddStarRpc, { userId, repoId: repository.id, at: 'now' })).toMatchObject({
      code: 'validation_failed',
      details: { issues: [{ field: '(input)', message: expect.stringContaining('at') }] },
    });
    expect(await rpcFailure(rpc, AddStarRpc, { userId, repoId: MISSING })).toMatchObject({
      code: 'missing_reference',
    });
    expect(await count('stars')).toBe(before);
  });
});

describe('watches', () => {
  it('sets, changes and removes a watch; ignoring users are not listed as watchers', async () => {
    const { rpc, admin } = git();
    const repository = await insertRepository(admin);
    const repoId = repository.id as number;
    const [ada, bo, cy] = [await newUserId(), await newUserId(), await newUserId()];

    expect(await rpc.call(GetWatchRpc, { userId: ada, repoId })).toEqual({ userId: ada, repoId, mode: null });
    expect(await rpc.call(SetWatchRpc, { userId: ada, repoId })).toMatchObject({ userId: ada, mode: 'watching' });
    await rpc.call(SetWatchRpc, { userId: bo, repoId, mode: 'participating' });
    await rpc.call(SetWatchRpc, { userId: cy, repoId, mode: 'watching' });
    expect(await rpc.call(SetWatchRpc, { userId: cy, repoId, mode: 'ignoring' })).toMatchObject({ mode: 'ignoring' });
    expect(await rpc.call(GetWatchRpc, { userId: cy, repoId })).toMatchObject({ mode: 'ignoring' });

    const watchers = await rpc.call(ListWatchersRpc, { repoId });
    expect(watchers.items.map((watch) => [watch.userId, watch.mode])).toEqual([
      [ada, 'watching'],
      [bo, 'participating'],
    ]);
    expect(watchers).toMatchObject({ nextCursor: null, total: 2 });

    expect(await rpc.call(RemoveWatchRpc, { userId: ada, repoId })).toEqual({ changed: true });
    expect(await rpc.call(RemoveWatchRpc, { userId: ada, repoId })).toEqual({ changed: false });
    expect(await rpc.call(ListWatchersRpc, { repoId })).toMatchObject({ items: [{ userId: bo }], total: 1 });
  });

  it('refuses an unknown mode naming the field and writes nothing; an unknown user is missing_reference', async () => {
    const { rpc, admin, count } = git();
    const repository = await insertRepository(admin);
    const repoId = repository.id as number;
    const before = await count('watches');

    expect(await rpcFailure(rpc, SetWatchRpc, { userId: await newUserId(), repoId, mode: 'lurking' })).toMatchObject({
      code: 'validation_failed',
      details: { issues: [{ field: 'mode' }] },
    });
    expect(await rpcFailure(rpc, SetWatchRpc, { userId: MISSING, repoId })).toMatchObject({
      code: 'missing_reference',
    });
    expect(await count('watches')).toBe(before);
  });
});
