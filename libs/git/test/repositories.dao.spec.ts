import { ConflictError, MissingReferenceError, NotFoundError, ValidationError } from '@plue/db';
import { RepositoriesDao } from '@plue/git';
import { insertRepository, insertUser, unique, useTestDatabase } from '@plue/testing';
import { countRows, dataSourceFor, sha, useGitDataSource } from './fixtures';

const database = useTestDatabase();
const gitDataSource = useGitDataSource(database);
const dao = () => new RepositoriesDao(gitDataSource());

async function newUser(overrides: Record<string, unknown> = {}): Promise<{ id: number; username: string }> {
  return (await insertUser(await database().connect(), overrides)) as { id: number; username: string };
}

describe('RepositoriesDao.create', () => {
  it('creates a repository with the schema defaults, ids as numbers', async () => {
    const owner = await newUser();
    const repository = await dao().create({ ownerId: owner.id, name: 'Plue.js' });
    expect(repository).toMatchObject({
      userId: owner.id,
      name: 'Plue.js',
      description: null,
      isPublic: true,
      defaultBranch: 'main',
      topics: [],
      nextIssueNumber: 1,
      isArchived: false,
    });
    expect(typeof repository.id).toBe('number');
    expect(repository.createdAt).toBeInstanceOf(Date);
  });

  it('keeps the fields it is given', async () => {
    const owner = await newUser();
    const repository = await dao().create({
      ownerId: owner.id,
      name: 'tools',
      description: 'Things',
      isPublic: false,
      defaultBranch: 'trunk',
      topics: ['git', 'forge'],
    });
    expect(repository).toMatchObject({
      description: 'Things',
      isPublic: false,
      defaultBranch: 'trunk',
      topics: ['git', 'forge'],
    });
  });

  it('refuses a name the owner already has in any case, naming the unique index, and writes nothing', async () => {
    const owner = await newUser();
    await dao().create({ ownerId: owner.id, name: 'Dotfiles' });
    const client = await database().connect();
    const before = await countRows(client, 'repositories');
    const error = await dao()
      .create({ ownerId: owner.id, name: 'dotFILES' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).details.constraint).toBe('repositories_user_id_lower_name_key');
    expect(await countRows(client, 'repositories')).toBe(before);
  });

  it('lets two owners use the same name', async () => {
    const [first, second] = [await newUser(), await newUser()];
    await dao().create({ ownerId: first.id, name: 'shared' });
    await expect(dao().create({ ownerId: second.id, name: 'shared' })).resolves.toMatchObject({ userId: second.id });
  });

  it('reports an unknown owner as a missing reference', async () => {
    const error = await dao()
      .create({ ownerId: 987654321, name: 'orphan' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MissingReferenceError);
    expect((error as MissingReferenceError).details.constraint).toBe('repositories_user_id_fkey');
  });

  it.each([
    ['an empty name', { name: '' }, 'name', /1 to 100/],
    ['a 101-character name', { name: 'x'.repeat(101) }, 'name', /1 to 100/],
    ['a name with a space', { name: 'with space' }, 'name', /only letters/],
    ['the name ".."', { name: '..' }, 'name', /"\." or "\.\."/],
    ['a name ending in .GIT', { name: 'site.GIT' }, 'name', /\.git/],
    ['a 1025-character description', { name: 'ok', description: 'd'.repeat(1025) }, 'description', /at most 1024/],
    [
      'an invalid default branch',
      { name: 'ok', defaultBranch: 'bad..branch' },
      'defaultBranch',
      /not a valid branch name/,
    ],
    ['an uppercase topic', { name: 'ok', topics: ['Upper'] }, 'topics.0', /lowercase/],
    ['a repeated topic', { name: 'ok', topics: ['a', 'a'] }, 'topics', /repeat/],
    ['21 topics', { name: 'ok', topics: Array.from({ length: 21 }, (_, i) => `t${i}`) }, 'topics', /20/],
  ])('refuses %s before SQL, naming the field, and writes nothing', async (_label, fields, field, message) => {
    const owner = await newUser();
    const client = await database().connect();
    const before = await countRows(client, 'repositories');
    const error = await dao()
      .create({ ownerId: owner.id, ...fields })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    const issue = (error as ValidationError).issues.find((candidate) => candidate.field === field);
    expect(issue?.message).toMatch(message);
    expect(await countRows(client, 'repositories')).toBe(before);
  });
});

describe('RepositoriesDao lookups', () => {
  it('getById returns the repository or null', async () => {
    const created = await dao().create({ ownerId: (await newUser()).id, name: 'lookup' });
    expect(await dao().getById(created.id)).toMatchObject({ id: created.id, name: 'lookup' });
    expect(await dao().getById(987654321)).toBeNull();
  });

  it('getByOwnerAndName finds by owner id or username, ignoring the case of both names', async () => {
    const owner = await newUser({ username: unique('Alice') });
    const other = await newUser();
    const created = await dao().create({ ownerId: owner.id, name: 'Website' });
    await dao().create({ ownerId: other.id, name: 'Website' });

    expect((await dao().getByOwnerAndName(owner.id, 'website'))?.id).toBe(created.id);
    expect((await dao().getByOwnerAndName(owner.username.toUpperCase(), 'WEBSITE'))?.id).toBe(created.id);
    expect(await dao().getByOwnerAndName(owner.username, 'web')).toBeNull();
    expect(await dao().getByOwnerAndName('nobody-here', 'Website')).toBeNull();
  });

  it('listByOwner pages through names case-insensitively, leaving private ones out unless asked', async () => {
    const owner = await newUser();
    for (const [name, isPublic] of [
      ['delta', true],
      ['Alpha', true],
      ['charlie', false],
      ['bravo', true],
      ['Echo', true],
    ] as const) {
      await dao().create({ ownerId: owner.id, name, isPublic });
    }
    const first = await dao().listByOwner(owner.id, { limit: 2 });
    expect(first.items.map((repository) => repository.name)).toEqual(['Alpha', 'bravo']);
    expect(first.nextCursor).toBe('bravo');
    const second = await dao().listByOwner(owner.id, { limit: 2, after: first.nextCursor ?? undefined });
    expect(second.items.map((repository) => repository.name)).toEqual(['delta', 'Echo']);
    expect(second.nextCursor).toBeNull();

    const all = await dao().listByOwner(owner.id, { includePrivate: true });
    expect(all.items.map((repository) => repository.name)).toEqual(['Alpha', 'bravo', 'charlie', 'delta', 'Echo']);
    await expect(dao().listByOwner(owner.id, { limit: 0 })).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('RepositoriesDao.getUserWithRepositories', () => {
  it('returns the public profile and the names of the public repositories', async () => {
    const owner = await newUser({ display_name: 'Ann', email: `${unique('ann')}@example.com`, is_admin: true });
    await dao().create({ ownerId: owner.id, name: 'zeta' });
    await dao().create({ ownerId: owner.id, name: 'Beta' });
    await dao().create({ ownerId: owner.id, name: 'secret', isPublic: false });

    const found = await dao().getUserWithRepositories(owner.username.toUpperCase());
    expect(found).toEqual({
      id: owner.id,
      username: owner.username,
      displayName: 'Ann',
      bio: null,
      avatarUrl: null,
      createdAt: expect.any(Date),
      repositories: ['Beta', 'zeta'],
    });
    expect(found).not.toHaveProperty('email');
    expect(found).not.toHaveProperty('isAdmin');
    expect((await dao().getUserWithRepositories(owner.username, { includePrivate: true }))?.repositories).toEqual([
      'Beta',
      'secret',
      'zeta',
    ]);
  });

  it('gives an empty list to a user without repositories and null for an unknown user', async () => {
    const loner = await newUser();
    expect((await dao().getUserWithRepositories(loner.username))?.repositories).toEqual([]);
    expect(await dao().getUserWithRepositories('no-such-user')).toBeNull();
  });

  it('agrees with the seed query, which runs verbatim as plue_git', async () => {
    const owner = await newUser();
    await dao().create({ ownerId: owner.id, name: 'one' });
    await dao().create({ ownerId: owner.id, name: 'two' });
    const asGit = await database().connect('plue_git');
    const { rows } = await asGit.query(
      `SELECT u.*, array_agg(r.name) as repos
FROM users u
LEFT JOIN repositories r ON r.user_id = u.id
WHERE u.username = $1
GROUP BY u.id;`,
      [owner.username],
    );
    expect([...rows[0].repos].sort()).toEqual((await dao().getUserWithRepositories(owner.username))?.repositories);
  });
});

describe('RepositoriesDao.update, archive, delete', () => {
  it('changes description, visibility, default branch and topics', async () => {
    const created = await dao().create({ ownerId: (await newUser()).id, name: 'changing' });
    const updated = await dao().update(created.id, {
      description: 'New',
      isPublic: false,
      defaultBranch: 'develop',
      topics: ['a-b'],
    });
    expect(updated).toMatchObject({
      description: 'New',
      isPublic: false,
      defaultBranch: 'develop',
      topics: ['a-b'],
      name: 'changing',
    });
    expect(updated.updatedAt.getTime()).toBeGreaterThanOrEqual(created.updatedAt.getTime());
    expect(await dao().update(created.id, { description: null })).toMatchObject({ description: null, isPublic: false });
  });

  it('leaves fields given as undefined as they are', async () => {
    const created = await dao().create({
      ownerId: (await newUser()).id,
      name: 'partial',
      description: 'Keep',
      topics: ['x'],
    });
    const updated = await dao().update(created.id, { description: undefined, topics: undefined, isPublic: false });
    expect(updated).toMatchObject({ description: 'Keep', topics: ['x'], isPublic: false });
  });

  it('refuses invalid or empty patches before SQL and writes nothing', async () => {
    const created = await dao().create({ ownerId: (await newUser()).id, name: 'stable', description: 'Keep' });
    await expect(dao().update(created.id, {})).rejects.toBeInstanceOf(ValidationError);
    await expect(dao().update(created.id, { topics: ['NO'] })).rejects.toBeInstanceOf(ValidationError);
    await expect(dao().update(created.id, { defaultBranch: '-x' })).rejects.toBeInstanceOf(ValidationError);
    await expect(dao().update(created.id, { name: 'renamed' } as never)).rejects.toBeInstanceOf(ValidationError);
    expect(await dao().getById(created.id)).toMatchObject({
      description: 'Keep',
      topics: [],
      defaultBranch: 'main',
      name: 'stable',
    });
  });

  it('reports a missing repository as not found', async () => {
    await expect(dao().update(987654321, { description: 'x' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(dao().archive(987654321)).rejects.toBeInstanceOf(NotFoundError);
    await expect(dao().delete(987654321)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('archives and unarchives, idempotently', async () => {
    const created = await dao().create({ ownerId: (await newUser()).id, name: 'old' });
    expect((await dao().archive(created.id)).isArchived).toBe(true);
    expect((await dao().archive(created.id)).isArchived).toBe(true);
    expect((await dao().unarchive(created.id)).isArchived).toBe(false);
  });

  it('deletes a repository with what belongs to it, other domains’ rows included', async () => {
    const client = await database().connect();
    const created = await dao().create({ ownerId: (await newUser()).id, name: 'doomed' });
    await client.query("INSERT INTO branches (repo_id, name, commit_id) VALUES ($1, 'main', $2)", [created.id, sha()]);
    await client.query("INSERT INTO issues (repo_id, author_id, title) VALUES ($1, $2, 'bug')", [
      created.id,
      created.userId,
    ]);
    await dao().delete(created.id);
    expect(await dao().getById(created.id)).toBeNull();
    expect(await countRows(client, 'branches', created.id)).toBe(0);
    const { rows } = await client.query('SELECT count(*)::int AS n FROM issues WHERE repo_id = $1', [created.id]);
    expect(rows[0].n).toBe(0);
  });
});

describe('RepositoriesDao.reassignOwner (the ghost flow)', () => {
  it('moves repositories, suffixing clashing names deterministically, and hands over git references', async () => {
    const client = await database().connect();
    const ghost = await newUser({ username: unique('ghost') });
    const leaving = await newUser();
    await dao().create({ ownerId: ghost.id, name: 'dotfiles' });
    const dotfiles = await dao().create({ ownerId: leaving.id, name: 'DotFiles' });
    const dotfilesOne = await dao().create({ ownerId: leaving.id, name: 'dotfiles-1' });
    const unique_ = await dao().create({ ownerId: leaving.id, name: 'solo' });
    const elsewhere = (await insertRepository(client)) as { id: number };
    await client.query('INSERT INTO branches (repo_id, name, commit_id, pusher_id) VALUES ($1, $2, $3, $4)', [
      elsewhere.id,
      'x',
      sha(),
      leaving.id,
    ]);
    await client.query(
      'INSERT INTO branches (repo_id, name, commit_id, is_deleted, deleted_at, deleted_by_id) VALUES ($1, $2, $3, true, now(), $4)',
      [elsewhere.id, 'y', sha(), leaving.id],
    );
    await client.query(
      "INSERT INTO commit_statuses (repo_id, commit_sha, state, creator_id) VALUES ($1, $2, 'success', $3)",
      [elsewhere.id, sha(), leaving.id],
    );
    await client.query("INSERT INTO collaborators (repo_id, user_id, permission) VALUES ($1, $2, 'write')", [
      unique_.id,
      ghost.id,
    ]);

    const moved = await dao().reassignOwner(leaving.id, ghost.id);

    expect(moved).toEqual([
      { id: dotfiles.id, oldName: 'DotFiles', newName: 'DotFiles-1' },
      { id: dotfilesOne.id, oldName: 'dotfiles-1', newName: 'dotfiles-1-1' },
      { id: unique_.id, oldName: 'solo', newName: 'solo' },
    ]);
    expect((await dao().listByOwner(ghost.id)).items.map((repository) => repository.name)).toEqual([
      'dotfiles',
      'DotFiles-1',
      'dotfiles-1-1',
      'solo',
    ]);
    expect(await countRows(client, 'collaborators', unique_.id)).toBe(0);
    // Nothing in git's tables points at the user any more: auth may now delete the row.
    await client.query('DELETE FROM users WHERE id = $1', [leaving.id]);
    const { rows } = await client.query(
      'SELECT count(*)::int AS n FROM branches WHERE pusher_id = $1 OR deleted_by_id = $1',
      [ghost.id],
    );
    expect(rows[0].n).toBe(2);
  });

  it('serializes concurrent hand-overs to the same owner so their suffixes do not collide', async () => {
    const ghost = await newUser({ username: unique('ghost') });
    await dao().create({ ownerId: ghost.id, name: 'notes' });
    const leavers = [await newUser(), await newUser(), await newUser()];
    for (const leaver of leavers) await dao().create({ ownerId: leaver.id, name: 'notes' });

    const sources = leavers.map(() => dataSourceFor(database().urlFor('plue_git'), 1));
    await Promise.all(sources.map((source) => source.initialize()));
    try {
      await Promise.all(leavers.map((leaver, i) => new RepositoriesDao(sources[i]).reassignOwner(leaver.id, ghost.id)));
    } finally {
      await Promise.all(sources.map((source) => source.destroy()));
    }
    const names = (await dao().listByOwner(ghost.id)).items.map((repository) => repository.name);
    expect(names).toEqual(['notes', 'notes-1', 'notes-2', 'notes-3']);
  });

  it('refuses to hand a user’s repositories to that same user', async () => {
    const user = await newUser();
    await expect(dao().reassignOwner(user.id, user.id)).rejects.toBeInstanceOf(ValidationError);
  });
});
