import { ConflictError, MissingReferenceError, NotFoundError, ValidationError } from '@plue/db';
import { ProtectedBranchesDao, RepositoriesDao } from '@plue/git';
import { insertUser, useTestDatabase } from '@plue/testing';
import { countRows, useGitDataSource } from './fixtures';

const database = useTestDatabase();
const gitDataSource = useGitDataSource(database);
const dao = () => new ProtectedBranchesDao(gitDataSource());

async function newUserId(): Promise<number> {
  return (await insertUser(await database().connect())).id as number;
}

async function newRepositoryId(): Promise<number> {
  return (await new RepositoriesDao(gitDataSource()).create({ ownerId: await newUserId(), name: 'guarded' })).id;
}

describe('ProtectedBranchesDao', () => {
  it('creates a rule with the schema defaults', async () => {
    const repoId = await newRepositoryId();
    const rule = await dao().create({ repoId, ruleName: 'main' });
    expect(rule).toMatchObject({
      repoId,
      ruleName: 'main',
      priority: 0,
      requiredApprovals: 0,
      pushAllowlistUserIds: [],
      statusCheckContexts: [],
      enableStatusCheck: false,
    });
  });

  it('stores allowlists as numbers and contexts as given', async () => {
    const repoId = await newRepositoryId();
    const [alice, bob] = [await newUserId(), await newUserId()];
    const rule = await dao().create({
      repoId,
      ruleName: 'release/**',
      priority: 5,
      enablePushAllowlist: true,
      pushAllowlistUserIds: [alice, bob],
      enableMergeAllowlist: true,
      mergeAllowlistUserIds: [bob],
      requiredApprovals: 2,
      enableStatusCheck: true,
      statusCheckContexts: ['ci/build', 'ci/test'],
    });
    expect(await dao().getById(rule.id)).toMatchObject({
      pushAllowlistUserIds: [alice, bob],
      mergeAllowlistUserIds: [bob],
      requiredApprovals: 2,
      statusCheckContexts: ['ci/build', 'ci/test'],
    });
  });

  it.each([
    ['negative required approvals', { requiredApprovals: -1 }, 'requiredApprovals'],
    ['fractional required approvals', { requiredApprovals: 1.5 }, 'requiredApprovals'],
    ['a negative priority', { priority: -1 }, 'priority'],
    ['an empty status context', { statusCheckContexts: [''] }, 'statusCheckContexts.0'],
    ['a repeated status context', { statusCheckContexts: ['ci', 'ci'] }, 'statusCheckContexts'],
    ['a non-integer user id', { pushAllowlistUserIds: [1.5] }, 'pushAllowlistUserIds.0'],
    ['a repeated user id', { mergeAllowlistUserIds: [1, 1] }, 'mergeAllowlistUserIds'],
    ['a rule name with a space', { ruleName: 'has space' }, 'ruleName'],
    ['a rule name that can match no branch', { ruleName: 'a..*' }, 'ruleName'],
    ['an unknown field', { requireSignedCommits: true }, '(input)'],
  ])('refuses %s before SQL and writes nothing', async (_label, fields, field) => {
    const repoId = await newRepositoryId();
    const error = await dao()
      .create({ repoId, ruleName: 'main', ...fields } as never)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).details.field).toBe(field);
    expect(await countRows(await database().connect(), 'protected_branches', repoId)).toBe(0);
  });

  it('refuses allowlisted user ids that do not exist, naming the list, and writes nothing', async () => {
    const repoId = await newRepositoryId();
    const real = await newUserId();
    const error = await dao()
      .create({ repoId, ruleName: 'main', forcePushAllowlistUserIds: [real, 987654321] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MissingReferenceError);
    expect((error as MissingReferenceError).details.field).toBe('forcePushAllowlistUserIds');
    expect(await countRows(await database().connect(), 'protected_branches', repoId)).toBe(0);
  });

  it('refuses a second rule of the same name in a repository', async () => {
    const repoId = await newRepositoryId();
    await dao().create({ repoId, ruleName: 'main' });
    const error = await dao()
      .create({ repoId, ruleName: 'main', priority: 3 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).details.constraint).toBe('protected_branches_repo_id_rule_name_key');
  });

  it('updates some fields and leaves the rest', async () => {
    const repoId = await newRepositoryId();
    const rule = await dao().create({ repoId, ruleName: 'main', requiredApprovals: 1, blockOnRejectedReviews: true });
    const updated = await dao().update(rule.id, { requiredApprovals: 3, ruleName: 'main*' });
    expect(updated).toMatchObject({ requiredApprovals: 3, ruleName: 'main*', blockOnRejectedReviews: true });
    expect(await dao().update(rule.id, { priority: 2, requiredApprovals: undefined })).toMatchObject({
      priority: 2,
      requiredApprovals: 3,
    });
    await expect(dao().update(rule.id, {})).rejects.toBeInstanceOf(ValidationError);
    await expect(dao().update(rule.id, { requiredApprovals: -2 })).rejects.toBeInstanceOf(ValidationError);
    await expect(dao().update(rule.id, { mergeAllowlistUserIds: [987654321] })).rejects.toBeInstanceOf(
      MissingReferenceError,
    );
    expect((await dao().getById(rule.id))?.requiredApprovals).toBe(3);
    await expect(dao().update(987654321, { priority: 1 })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('deletes rules', async () => {
    const repoId = await newRepositoryId();
    const rule = await dao().create({ repoId, ruleName: 'main' });
    await dao().delete(rule.id);
    expect(await dao().getById(rule.id)).toBeNull();
    await expect(dao().delete(rule.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('finds the rule of a branch: exact name first, then the highest-priority glob, ties to the oldest', async () => {
    const repoId = await newRepositoryId();
    const everything = await dao().create({ repoId, ruleName: '**', priority: 1 });
    const releases = await dao().create({ repoId, ruleName: 'release/*', priority: 5 });
    const releasesToo = await dao().create({ repoId, ruleName: 'release/v*', priority: 5 });
    const main = await dao().create({ repoId, ruleName: 'main', priority: 0 });

    expect((await dao().ruleFor(repoId, 'main'))?.id).toBe(main.id);
    expect((await dao().ruleFor(repoId, 'release/v2'))?.id).toBe(releases.id);
    expect(releasesToo.id).toBeGreaterThan(releases.id);
    expect((await dao().ruleFor(repoId, 'release/v2/hotfix'))?.id).toBe(everything.id);
    expect(await dao().ruleFor(await newRepositoryId(), 'main')).toBeNull();
    expect((await dao().list(repoId)).map((rule) => rule.id)).toEqual([
      releases.id,
      releasesToo.id,
      everything.id,
      main.id,
    ]);
  });
});

describe('ProtectedBranchesDao.removeUserFromAllowlists (the ghost flow)', () => {
  it('takes the user off every allowlist of every rule and leaves other rules alone', async () => {
    const [leaving, staying] = [await newUserId(), await newUserId()];
    const lists = { pushAllowlistUserIds: [leaving, staying], forcePushAllowlistUserIds: [leaving] };
    const first = await dao().create({ repoId: await newRepositoryId(), ruleName: 'main', ...lists });
    const second = await dao().create({
      repoId: await newRepositoryId(),
      ruleName: 'release/*',
      mergeAllowlistUserIds: [staying, leaving],
    });
    const untouched = await dao().create({
      repoId: await newRepositoryId(),
      ruleName: 'main',
      pushAllowlistUserIds: [staying],
    });

    expect(await dao().removeUserFromAllowlists(leaving)).toBe(2);

    expect(await dao().getById(first.id)).toMatchObject({
      pushAllowlistUserIds: [staying],
      forcePushAllowlistUserIds: [],
      mergeAllowlistUserIds: [],
    });
    expect((await dao().getById(second.id))?.mergeAllowlistUserIds).toEqual([staying]);
    expect((await dao().getById(untouched.id))?.updatedAt).toEqual(untouched.updatedAt);
    expect(await dao().removeUserFromAllowlists(leaving)).toBe(0);
  });
});
