import { ConflictError, MissingReferenceError, NotFoundError, ValidationError } from '@plue/db';
import { insertRepository, insertUser, unique, useTestDatabase } from '@plue/testing';
import type { Client } from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { AccessTokensDao, AuthSessionsDao, isValidUsername, UsersDao } from '../src';
import { authDataSource, countRows } from './fixtures';

const database = useTestDatabase();
let dataSource: DataSource;
let admin: Client;
let users: UsersDao;

beforeAll(async () => {
  dataSource = await authDataSource(database());
  admin = await database().connect();
  users = new UsersDao(dataSource);
});
afterAll(() => dataSource.destroy());

/** A fresh valid username: letters and digits only (unique() adds hex digits). */
const username = () => unique('u').slice(0, 39);

describe('the username rule', () => {
  it('agrees with the users_username_check constraint', async () => {
    const candidates = [
      'a',
      'A9',
      'a-b',
      'a-b-c',
      'x'.repeat(39),
      'x'.repeat(40),
      'a-'.repeat(19) + 'a',
      '-a',
      'a-',
      'a--b',
      'a_b',
      'a.b',
      'a b',
      'ü',
      '',
      '0',
      '9-9',
    ];
    const { rows } = await admin.query(
      `SELECT name, char_length(name) <= 39 AND name ~ '^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$' AS valid
         FROM unnest($1::text[]) AS name`,
      [candidates],
    );
    for (const { name, valid } of rows) expect([name, isValidUsername(name)]).toEqual([name, valid]);
  });
});

describe('UsersDao.create and reads', () => {
  it('creates a user and reads it back by id and by username, ignoring case', async () => {
    const name = `Alice${username()}`;
    const created = await users.create({ username: name, displayName: 'Alice', email: `${name}@example.com` });
    expect(created).toMatchObject({ username: name, displayName: 'Alice', isActive: true, isAdmin: false });
    expect(typeof created.id).toBe('number');
    expect(created.createdAt).toBeInstanceOf(Date);

    expect(await users.getById(created.id)).toMatchObject({ id: created.id, username: name });
    expect((await users.getByUsername(name.toUpperCase()))?.id).toBe(created.id);
    expect((await users.getByUsername(name.toLowerCase()))?.id).toBe(created.id);
  });

  it('returns null for unknown ids and names, and for strings that cannot be usernames', async () => {
    expect(await users.getById(987_654_321)).toBeNull();
    expect(await users.getByUsername('nobody-here-at-all')).toBeNull();
    expect(await users.getByUsername('-not valid-')).toBeNull();
  });

  it('looks the username up through the lower(username) index', async () => {
    const statements: { query: string; parameters?: unknown[] }[] = [];
    const recording = await new DataSource({
      ...dataSource.options,
      logging: ['query'],
      logger: {
        logQuery: (query: string, parameters?: unknown[]) => statements.push({ query, parameters }),
        logQueryError: () => undefined,
        logQuerySlow: () => undefined,
        logSchemaBuild: () => undefined,
        logMigration: () => undefined,
        log: () => undefined,
      },
    } as DataSourceOptions).initialize();
    try {
      await new UsersDao(recording).getByUsername('Someone');
    } finally {
      await recording.destroy();
    }
    const lookup = statements.find((statement) => statement.query.includes('lower('));
    expect(lookup).toBeDefined();
    await admin.query('SET enable_seqscan = off');
    const { rows } = await admin.query(`EXPLAIN ${lookup?.query}`, lookup?.parameters);
    await admin.query('RESET enable_seqscan');
    expect(rows.map((row) => row['QUERY PLAN']).join('\n')).toContain('users_lower_username_key');
  });

  it('refuses a username that differs from an existing one only in case, naming the constraint', async () => {
    const name = `bob${username()}`;
    await users.create({ username: name });
    const clash = users.create({ username: name.toUpperCase() });
    await expect(clash).rejects.toBeInstanceOf(ConflictError);
    await expect(clash).rejects.toMatchObject({ details: { constraint: 'users_lower_username_key' } });
  });

  it.each([
    ['', 'empty'],
    ['-leading', 'leading hyphen'],
    ['trailing-', 'trailing hyphen'],
    ['double--hyphen', 'doubled hyphen'],
    ['under_score', 'underscore'],
    ['dot.ted', 'dot'],
    ['x'.repeat(40), '40 characters'],
    ['naïve', 'non-ASCII letter'],
  ])('refuses the malformed username %j (%s) before SQL with a clear message', async (name) => {
    const before = await countRows(admin, 'users');
    const attempt = users.create({ username: name });
    await expect(attempt).rejects.toBeInstanceOf(ValidationError);
    await expect(attempt).rejects.toThrow(/username: must be 1-39 characters/);
    expect(await countRows(admin, 'users')).toBe(before);
  });

  it('accepts the longest and shortest valid usernames', async () => {
    const longest = `${'a'.repeat(19)}-${'b'.repeat(19)}`;
    expect((await users.create({ username: longest })).username).toBe(longest);
    expect((await users.create({ username: 'q' })).username).toBe('q');
  });

  it.each(['ghost', 'Ghost', 'admin', 'API', 'root', 'settings', 'login', 'plue'])(
    'refuses the reserved username %j',
    async (name) => {
      const before = await countRows(admin, 'users');
      await expect(users.create({ username: name })).rejects.toThrow(/username: is reserved/);
      expect(await countRows(admin, 'users')).toBe(before);
    },
  );

  it('stores wallet addresses lowercase and finds them in any case', async () => {
    const address = `0xAbC${'d'.repeat(37)}`;
    const created = await users.create({ username: username(), walletAddress: address });
    expect(created.walletAddress).toBe(address.toLowerCase());
    expect((await users.getByWalletAddress(address.toUpperCase().replace('0X', '0x')))?.id).toBe(created.id);
    expect(await users.getByWalletAddress('0x1234')).toBeNull();
    await expect(users.create({ username: username(), walletAddress: address })).rejects.toMatchObject({
      code: 'conflict',
      details: { constraint: 'users_wallet_address_key' },
    });
  });

  it('refuses unknown fields instead of ignoring them', async () => {
    await expect(users.create({ username: username(), isActive: false } as never)).rejects.toThrow(/Unrecognized key/);
  });
});

describe('UsersDao.update', () => {
  it('changes the given fields, clears with null and bumps updated_at', async () => {
    const user = await users.create({ username: username(), bio: 'old bio', displayName: 'Old' });
    const updated = await users.update(user.id, { bio: null, displayName: 'New' });
    expect(updated).toMatchObject({ id: user.id, bio: null, displayName: 'New', username: user.username });
    expect(updated.updatedAt.getTime()).toBeGreaterThan(user.updatedAt.getTime());
  });

  it('applies the username rules to a rename', async () => {
    const user = await users.create({ username: username() });
    const taken = await users.create({ username: username() });
    await expect(users.update(user.id, { username: 'admin' })).rejects.toThrow(/is reserved/);
    await expect(users.update(user.id, { username: taken.username.toUpperCase() })).rejects.toMatchObject({
      details: { constraint: 'users_lower_username_key' },
    });
    const renamed = username();
    expect((await users.update(user.id, { username: renamed })).username).toBe(renamed);
  });

  it('throws NotFoundError for a missing user and refuses an empty change', async () => {
    await expect(users.update(987_654_321, { bio: 'x' })).rejects.toBeInstanceOf(NotFoundError);
    const user = await users.create({ username: username() });
    await expect(users.update(user.id, {})).rejects.toThrow(/names no field to change/);
  });
});

describe('login state', () => {
  it('records the login time', async () => {
    const user = await users.create({ username: username() });
    expect(user.lastLoginAt).toBeNull();
    const loggedIn = await users.recordLogin(user.id);
    expect(loggedIn.lastLoginAt).toBeInstanceOf(Date);
  });

  it('deactivating ends the cookie sessions and stops the tokens', async () => {
    const sessions = new AuthSessionsDao(dataSource);
    const tokens = new AccessTokensDao(dataSource);
    const user = await users.create({ username: username() });
    const { cookieValue } = await sessions.create(user.id);
    const { plaintext } = await tokens.create(user.id, {
      name: 'ci',
      scopes: ['repo:read'],
      expiresAt: new Date(Date.now() + 86_400_000),
    });

    expect((await users.deactivate(user.id)).isActive).toBe(false);
    const { rows } = await admin.query('SELECT count(*)::int AS n FROM auth_sessions WHERE user_id = $1', [user.id]);
    expect(rows[0].n).toBe(0);
    expect(await sessions.getByCookie(cookieValue)).toBeNull();
    expect(await tokens.authenticate(plaintext)).toBeNull();

    await users.reactivate(user.id);
    expect(await tokens.authenticate(plaintext)).not.toBeNull();
  });

  it('barring login ends the sessions and refuses the tokens until lifted', async () => {
    const sessions = new AuthSessionsDao(dataSource);
    const tokens = new AccessTokensDao(dataSource);
    const user = await users.create({ username: username() });
    const { cookieValue } = await sessions.create(user.id);
    const { plaintext } = await tokens.create(user.id, {
      name: 'ci',
      scopes: ['repo:read'],
      expiresAt: new Date(Date.now() + 86_400_000),
    });
    expect((await users.setLoginProhibited(user.id, true)).prohibitLogin).toBe(true);
    expect(await sessions.getByCookie(cookieValue)).toBeNull();
    expect(await tokens.authenticate(plaintext)).toBeNull();
    await users.setLoginProhibited(user.id, false);
    expect(await tokens.authenticate(plaintext)).not.toBeNull();
  });
});

describe('the ghost account', () => {
  it('is created once, even by concurrent callers, and can never sign in', async () => {
    const ghosts = await Promise.all([1, 2, 3, 4].map(() => users.ensureGhostUser()));
    expect(new Set(ghosts.map((ghost) => ghost.id)).size).toBe(1);
    expect(ghosts[0]).toMatchObject({ username: 'ghost', prohibitLogin: true });
    const { rows } = await admin.query(`SELECT count(*)::int AS n FROM users WHERE lower(username) = 'ghost'`);
    expect(rows[0].n).toBe(1);
    expect((await users.getByUsername('GHOST'))?.id).toBe(ghosts[0].id);
  });

  it('cannot be renamed or deleted', async () => {
    const ghost = await users.ensureGhostUser();
    await expect(users.update(ghost.id, { username: username() })).rejects.toBeInstanceOf(ConflictError);
    await expect(users.delete(ghost.id)).rejects.toBeInstanceOf(ConflictError);
    expect(await users.getById(ghost.id)).not.toBeNull();
    expect((await users.update(ghost.id, { bio: 'Deleted accounts' })).bio).toBe('Deleted accounts');
  });
});

describe('UsersDao.delete', () => {
  it('deletes the user with its auth rows', async () => {
    const user = await users.create({ username: username() });
    await new AuthSessionsDao(dataSource).create(user.id);
    await users.delete(user.id);
    expect(await users.getById(user.id)).toBeNull();
    const { rows } = await admin.query('SELECT count(*)::int AS n FROM auth_sessions WHERE user_id = $1', [user.id]);
    expect(rows[0].n).toBe(0);
    await expect(users.delete(user.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("is refused while another domain still holds the user's content, naming the foreign key", async () => {
    const owner = await insertUser(admin);
    await insertRepository(admin, { user_id: owner.id });
    const attempt = users.delete(owner.id as number);
    await expect(attempt).rejects.toBeInstanceOf(MissingReferenceError);
    await expect(attempt).rejects.toMatchObject({ details: { constraint: 'repositories_user_id_fkey' } });
    expect(await users.getById(owner.id as number)).not.toBeNull();
  });
});

describe('transactions', () => {
  it("joins the caller's transaction, so a failure later rolls the user back", async () => {
    const name = username();
    await expect(
      dataSource.transaction(async (tx) => {
        await users.create({ username: name }, tx);
        await users.create({ username: name.toUpperCase() }, tx);
      }),
    ).rejects.toBeInstanceOf(ConflictError);
    expect(await users.getByUsername(name)).toBeNull();
  });
});

describe('deleting a user in two steps (the ghost flow)', () => {
  const credentials = async (userId: number) => {
    const { rows } = await admin.query(
      `SELECT (SELECT count(*) FROM auth_sessions WHERE user_id = $1)::int AS sessions,
              (SELECT count(*) FROM access_tokens WHERE user_id = $1)::int AS tokens,
              (SELECT count(*) FROM ssh_keys WHERE user_id = $1)::int AS keys`,
      [userId],
    );
    return rows[0];
  };

  it('beginDeletion bars the user, removes every credential and returns the ghost, the same when asked again', async () => {
    const user = await users.create({ username: username() });
    await new AuthSessionsDao(dataSource).create(user.id);
    await new AccessTokensDao(dataSource).create(user.id, {
      name: 'ci',
      scopes: ['repo:read'],
      expiresAt: new Date(Date.now() + 60_000),
    });
    await admin.query(
      "INSERT INTO ssh_keys (user_id, name, fingerprint, public_key, key_type) VALUES ($1, 'laptop', $2, 'ssh-ed25519 AAAA', 'ssh-ed25519')",
      [user.id, `SHA256:${'A'.repeat(43)}`],
    );
    expect(await credentials(user.id)).toEqual({ sessions: 1, tokens: 1, keys: 1 });

    const { user: barred, ghost } = await users.beginDeletion(user.id);
    expect(barred).toMatchObject({ id: user.id, isActive: false, prohibitLogin: true });
    expect(ghost).toMatchObject({ username: 'ghost', prohibitLogin: true });
    expect(await credentials(user.id)).toEqual({ sessions: 0, tokens: 0, keys: 0 });

    const again = await users.beginDeletion(user.id);
    expect(again.ghost.id).toBe(ghost.id);
    expect(again.user.updatedAt).toEqual(barred.updatedAt);
  });

  it('beginDeletion refuses the ghost and an unknown user', async () => {
    const ghost = await users.ensureGhostUser();
    await expect(users.beginDeletion(ghost.id)).rejects.toBeInstanceOf(ConflictError);
    await expect(users.beginDeletion(987_654_321)).rejects.toBeInstanceOf(NotFoundError);
    expect(await users.getById(ghost.id)).toMatchObject({ isActive: true });
  });

  it('deleteOnceHandedOver waits while content remains, keeping the caller’s transaction usable, then deletes', async () => {
    const owner = await insertUser(admin);
    const userId = owner.id as number;
    const repository = await insertRepository(admin, { user_id: userId });

    const outcome = await dataSource.transaction(async (tx) => {
      const first = await users.deleteOnceHandedOver(userId, tx);
      await tx.query('SELECT 1'); // the transaction survived the refused DELETE
      return first;
    });
    expect(outcome).toEqual({ outcome: 'content_remains', constraint: 'repositories_user_id_fkey' });
    expect(await users.getById(userId)).not.toBeNull();

    await admin.query('DELETE FROM repositories WHERE id = $1', [repository.id]);
    expect(await users.deleteOnceHandedOver(userId)).toEqual({ outcome: 'deleted' });
    expect(await users.getById(userId)).toBeNull();
    expect(await users.deleteOnceHandedOver(userId)).toEqual({ outcome: 'absent' });
  });
});
