import { MissingReferenceError, ValidationError } from '@plue/db';
import { RepositoriesDao, StarsDao, WatchesDao } from '@plue/git';
import { insertUser, useTestDatabase } from '@plue/testing';
import { countRows, useGitDataSource } from './fixtures';

const database = useTestDatabase();
const gitDataSource = useGitDataSource(database);
const stars = () => new StarsDao(gitDataSource());
const watches = () => new WatchesDao(gitDataSource());

async function newUserId(): Promise<number> {
  return (await insertUser(await database().connect())).id as number;
}

async function newRepositoryId(): Promise<number> {
  return (await new RepositoriesDao(gitDataSource()).create({ ownerId: await newUserId(), name: 'popular' })).id;
}

describe('StarsDao', () => {
  it('stars and unstars idempotently, counting each user once', async () => {
    const repoId = await newRepositoryId();
    const [alice, bob] = [await newUserId(), await newUserId()];
    expect(await stars().star(alice, repoId)).toBe(true);
    expect(await stars().star(alice, repoId)).toBe(false);
    await stars().star(bob, repoId);
    expect(await stars().count(repoId)).toBe(2);
    expect(await stars().hasStarred(alice, repoId)).toBe(true);

    expect(await stars().unstar(alice, repoId)).toBe(true);
    expect(await stars().unstar(alice, repoId)).toBe(false);
    expect(await stars().count(repoId)).toBe(1);
    expect(await stars().hasStarred(alice, repoId)).toBe(false);
  });

  it('lists stargazers and starred repositories a page at a time', async () => {
    const [first, second] = [await newRepositoryId(), await newRepositoryId()];
    const users = [await newUserId(), await newUserId(), await newUserId()];
    for (const user of users) await stars().star(user, first);
    await stars().star(users[0], second);

    const page = await stars().listStargazers(first, { limit: 2 });
    expect(page.items.map((star) => star.userId)).toEqual(users.slice(0, 2));
    expect(
      (await stars().listStargazers(first, { limit: 2, after: page.nextCursor ?? undefined })).items.map(
        (star) => star.userId,
      ),
    ).toEqual([users[2]]);
    expect((await stars().listStarred(users[0])).items.map((star) => star.repoId)).toEqual([first, second]);
  });

  it('refuses bad ids before SQL and unknown repositories at the foreign key, writing nothing', async () => {
    const client = await database().connect();
    const before = await countRows(client, 'stars');
    await expect(stars().star(-1, 1)).rejects.toBeInstanceOf(ValidationError);
    const error = await stars()
      .star(await newUserId(), 987654321)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MissingReferenceError);
    expect((error as MissingReferenceError).details.constraint).toBe('stars_repo_id_fkey');
    expect(await countRows(client, 'stars')).toBe(before);
  });
});

describe('WatchesDao', () => {
  it('watches, changes the mode, and unwatches', async () => {
    const repoId = await newRepositoryId();
    const user = await newUserId();
    expect(await watches().modeOf(user, repoId)).toBeNull();
    expect(await watches().watch(user, repoId)).toMatchObject({ mode: 'watching' });
    expect(await watches().watch(user, repoId, 'participating')).toMatchObject({ mode: 'participating' });
    expect(await countRows(await database().connect(), 'watches', repoId)).toBe(1);
    expect(await watches().unwatch(user, repoId)).toBe(true);
    expect(await watches().unwatch(user, repoId)).toBe(false);
    expect(await watches().modeOf(user, repoId)).toBeNull();
  });

  it('does not count or list users who ignore the repository', async () => {
    const repoId = await newRepositoryId();
    const [watching, participating, ignoring] = [await newUserId(), await newUserId(), await newUserId()];
    await watches().watch(watching, repoId);
    await watches().watch(participating, repoId, 'participating');
    await watches().watch(ignoring, repoId, 'ignoring');
    expect(await watches().countWatchers(repoId)).toBe(2);
    expect((await watches().listWatchers(repoId)).items.map((watch) => watch.userId)).toEqual([
      watching,
      participating,
    ]);
  });

  it('refuses an unknown mode before SQL, writing nothing', async () => {
    const repoId = await newRepositoryId();
    await expect(watches().watch(await newUserId(), repoId, 'subscribed' as never)).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(await countRows(await database().connect(), 'watches', repoId)).toBe(0);
  });
});
