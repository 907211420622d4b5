import { ConflictError, MissingReferenceError, NotFoundError, ValidationError } from '@plue/db';
import { CollaboratorsDao, RepositoriesDao } from '@plue/git';
import { insertUser, useTestDatabase } from '@plue/testing';
import { countRows, useGitDataSource } from './fixtures';

const database = useTestDatabase();
const gitDataSource = useGitDataSource(database);
const dao = () => new CollaboratorsDao(gitDataSource());

async function newUserId(): Promise<number> {
  return (await insertUser(await database().connect())).id as number;
}

async function newRepository(isPublic = false): Promise<{ id: number; ownerId: number }> {
  const ownerId = await newUserId();
  const repository = await new RepositoriesDao(gitDataSource()).create({ ownerId, name: 'project', isPublic });
  return { id: repository.id, ownerId };
}

describe('CollaboratorsDao', () => {
  it('adds a collaborator, and adding again changes the permission instead of duplicating', async () => {
    const repository = await newRepository();
    const userId = await newUserId();
    expect(await dao().add(repository.id, userId, 'read')).toMatchObject({
      repoId: repository.id,
      userId,
      permission: 'read',
    });
    expect(await dao().add(repository.id, userId, 'admin')).toMatchObject({ permission: 'admin' });
    expect(await countRows(await database().connect(), 'collaborators', repository.id)).toBe(1);
  });

  it('updates the permission of an existing collaborator only', async () => {
    const repository = await newRepository();
    const userId = await newUserId();
    await dao().add(repository.id, userId, 'read');
    expect(await dao().updatePermission(repository.id, userId, 'write')).toMatchObject({ permission: 'write' });
    await expect(dao().updatePermission(repository.id, await newUserId(), 'write')).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('refuses an unknown permission before SQL, writing nothing', async () => {
    const repository = await newRepository();
    const client = await database().connect();
    await expect(dao().add(repository.id, await newUserId(), 'owner' as never)).rejects.toBeInstanceOf(ValidationError);
    expect(await countRows(client, 'collaborators', repository.id)).toBe(0);
  });

  it('refuses to make the owner a collaborator (the owner is always admin), writing nothing', async () => {
    const repository = await newRepository();
    const error = await dao()
      .add(repository.id, repository.ownerId, 'read')
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConflictError);
    expect(await countRows(await database().connect(), 'collaborators', repository.id)).toBe(0);
  });

  it('reports unknown repositories and users', async () => {
    await expect(dao().add(987654321, await newUserId(), 'read')).rejects.toBeInstanceOf(NotFoundError);
    const repository = await newRepository();
    const error = await dao()
      .add(repository.id, 987654321, 'read')
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MissingReferenceError);
    expect((error as MissingReferenceError).details.constraint).toBe('collaborators_user_id_fkey');
  });

  it('removes collaborators, saying whether there was one', async () => {
    const repository = await newRepository();
    const userId = await newUserId();
    await dao().add(repository.id, userId, 'write');
    expect(await dao().remove(repository.id, userId)).toBe(true);
    expect(await dao().remove(repository.id, userId)).toBe(false);
    expect(await dao().permissionOf(repository.id, userId)).toBeNull();
  });

  it('lists collaborators by user id, a page at a time', async () => {
    const repository = await newRepository();
    const userIds = [await newUserId(), await newUserId(), await newUserId()];
    for (const userId of userIds) await dao().add(repository.id, userId, 'read');
    const first = await dao().list(repository.id, { limit: 2 });
    expect(first.items.map((collaborator) => collaborator.userId)).toEqual(userIds.slice(0, 2));
    const second = await dao().list(repository.id, { limit: 2, after: first.nextCursor ?? undefined });
    expect(second).toMatchObject({ items: [{ userId: userIds[2] }], nextCursor: null });
  });

  describe('permissionOf', () => {
    it('answers admin for the owner', async () => {
      const repository = await newRepository();
      expect(await dao().permissionOf(repository.id, repository.ownerId)).toBe('admin');
    });

    it('answers the granted permission for a collaborator', async () => {
      const repository = await newRepository();
      const userId = await newUserId();
      await dao().add(repository.id, userId, 'write');
      expect(await dao().permissionOf(repository.id, userId)).toBe('write');
    });

    it('answers read on a public repository and nothing on a private one for anyone else', async () => {
      const publicRepository = await newRepository(true);
      const privateRepository = await newRepository(false);
      const stranger = await newUserId();
      expect(await dao().permissionOf(publicRepository.id, stranger)).toBe('read');
      expect(await dao().permissionOf(publicRepository.id, null)).toBe('read');
      expect(await dao().permissionOf(privateRepository.id, stranger)).toBeNull();
      expect(await dao().permissionOf(privateRepository.id, null)).toBeNull();
    });

    it('reports a missing repository as not found', async () => {
      await expect(dao().permissionOf(987654321, 1)).rejects.toBeInstanceOf(NotFoundError);
    });
  });

  describe('permissionsOf', () => {
    it('answers each user as permissionOf does, in one call', async () => {
      const privateRepository = await newRepository(false);
      const [reader, writer, admin, stranger] = [
        await newUserId(),
        await newUserId(),
        await newUserId(),
        await newUserId(),
      ];
      await dao().add(privateRepository.id, reader, 'read');
      await dao().add(privateRepository.id, writer, 'write');
      await dao().add(privateRepository.id, admin, 'admin');
      const asked = [stranger, writer, privateRepository.ownerId, reader, admin, writer];
      const permissions = await dao().permissionsOf(privateRepository.id, asked);
      expect(Object.fromEntries(permissions)).toEqual({
        [privateRepository.ownerId]: 'admin',
        [reader]: 'read',
        [writer]: 'write',
        [admin]: 'admin',
        [stranger]: null,
      });
      for (const userId of new Set(asked)) {
        expect(permissions.get(userId)).toBe(await dao().permissionOf(privateRepository.id, userId));
      }

      const publicRepository = await newRepository(true);
      expect(Object.fromEntries(await dao().permissionsOf(publicRepository.id, [stranger, 987654321]))).toEqual({
        [stranger]: 'read',
        987654321: 'read',
      });
    });

    it('answers an empty map for nobody, not_found for a missing repository, and refuses bad ids', async () => {
      const repository = await newRepository();
      expect((await dao().permissionsOf(repository.id, [])).size).toBe(0);
      await expect(dao().permissionsOf(987654321, [])).rejects.toBeInstanceOf(NotFoundError);
      await expect(dao().permissionsOf(987654321, [repository.ownerId])).rejects.toBeInstanceOf(NotFoundError);
      await expect(dao().permissionsOf(repository.id, [0])).rejects.toMatchObject({
        code: 'validation_failed',
        issues: [expect.objectContaining({ field: '0' })],
      });
    });
  });
});
