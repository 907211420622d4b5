import { ConflictError, ValidationError } from '@plue/db';
import { insertUser, useTestDatabase } from '@plue/testing';
import type { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { ACCESS_TOKEN_SCOPES, AccessTokensDao } from '../src';
import { authDataSource, countRows } from './fixtures';

const database = useTestDatabase();
let dataSource: DataSource;
let admin: Client;
let tokens: AccessTokensDao;

beforeAll(async () => {
  dataSource = await authDataSource(database());
  admin = await database().connect();
  tokens = new AccessTokensDao(dataSource);
  // SECURITY DEFINER: the trigger fires for plue_auth, which may not write the test's own table.
  await admin.query(`
    CREATE TABLE test_token_writes (token_id bigint NOT NULL);
    CREATE FUNCTION test_record_token_write() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
    BEGIN INSERT INTO test_token_writes VALUES (NEW.id); RETURN NEW; END $$;
    CREATE TRIGGER test_record_token_write AFTER UPDATE ON access_tokens
      FOR EACH ROW EXECUTE FUNCTION test_record_token_write();
  `);
});
afterAll(() => dataSource.destroy());

const DAY = 24 * 60 * 60 * 1000;
const inDays = (days: number) => new Date(Date.now() + days * DAY);
const newUserId = async () => (await insertUser(admin)).id as number;

async function storedRow(id: number) {
  const { rows } = await admin.query('SELECT * FROM access_tokens WHERE id = $1', [id]);
  return rows[0];
}

/** Row writes to the token after its creation, counted by a test-only trigger. */
async function writesOf(id: number): Promise<number> {
  const { rows } = await admin.query('SELECT count(*)::int AS n FROM test_token_writes WHERE token_id = $1', [id]);
  return rows[0].n;
}

describe('AccessTokensDao.create', () => {
  it('returns the token once and stores only its SHA-256 and last eight characters', async () => {
    const userId = await newUserId();
    const { accessToken, plaintext } = await tokens.create(userId, {
      name: 'deploy',
      scopes: ['repo:read', 'repo:write', 'repo:read'],
      expiresAt: inDays(30),
    });
    expect(plaintext).toMatch(/^plue_pat_[0-9A-Za-z]{43}$/);
    expect(accessToken).toMatchObject({ userId, name: 'deploy', scopes: ['repo:read', 'repo:write'] });
    expect(accessToken.tokenLastEight).toBe(plaintext.slice(-8));
    expect(accessToken.tokenHash).toBeUndefined();

    const row = await storedRow(accessToken.id);
    expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(plaintext);
    expect(JSON.stringify(row)).not.toContain(plaintext.slice('plue_pat_'.length, -8));
  });

  it('never returns the token or its hash from a read', async () => {
    const userId = await newUserId();
    const { plaintext } = await tokens.create(userId, { name: 'a', scopes: ['user:read'], expiresAt: inDays(1) });
    const listed = await tokens.list(userId);
    const authenticated = await tokens.authenticate(plaintext);
    for (const read of [...listed, authenticated]) {
      expect(read?.tokenHash).toBeUndefined();
      expect(JSON.stringify(read)).not.toContain(plaintext);
    }
  });

  it('knows exactly the scopes the database constraint accepts', async () => {
    const { rows } = await admin.query(
      `SELECT pg_get_constraintdef(oid) AS definition FROM pg_constraint WHERE conname = 'access_tokens_scopes_check'`,
    );
    const databaseScopes = [...rows[0].definition.matchAll(/'([^']+)'::text/g)].map((match) => match[1]);
    expect([...ACCESS_TOKEN_SCOPES].sort()).toEqual(databaseScopes.sort());
  });

  it.each([
    [
      { name: 'x', scopes: ['repo:read', 'repo:delete'], expiresAt: inDays(1) },
      /scopes\.1: unknown scope "repo:delete"/,
    ],
    [{ name: 'x', scopes: [], expiresAt: inDays(1) }, /scopes: must hold at least one scope/],
    [{ name: 'x', scopes: ['repo:read'] }, /expiresAt: is required: tokens always expire/],
    [{ name: 'x', scopes: ['repo:read'], expiresAt: new Date(Date.now() - 1000) }, /expiresAt: must be in the future/],
    [{ name: 'x', scopes: ['repo:read'], expiresAt: inDays(366) }, /expiresAt: must be at most 365 days away/],
    [{ name: '   ', scopes: ['repo:read'], expiresAt: inDays(1) }, /name: must not be empty/],
  ])('refuses %j before SQL (%s)', async (data, message) => {
    const userId = await newUserId();
    const before = await countRows(admin, 'access_tokens');
    const attempt = tokens.create(userId, data as never);
    await expect(attempt).rejects.toBeInstanceOf(ValidationError);
    await expect(attempt).rejects.toThrow(message);
    expect(await countRows(admin, 'access_tokens')).toBe(before);
  });

  it('accepts an expiry of up to a year', async () => {
    const { accessToken } = await tokens.create(await newUserId(), {
      name: 'yearly',
      scopes: ['admin'],
      expiresAt: inDays(364.9),
    });
    expect(accessToken.expiresAt.getTime()).toBeGreaterThan(Date.now() + 364 * DAY);
  });

  it('refuses a second token of the same name for one user', async () => {
    const userId = await newUserId();
    await tokens.create(userId, { name: 'ci', scopes: ['repo:read'], expiresAt: inDays(1) });
    await expect(
      tokens.create(userId, { name: 'ci', scopes: ['repo:read'], expiresAt: inDays(1) }),
    ).rejects.toMatchObject({ constructor: ConflictError, details: { constraint: 'access_tokens_user_id_name_key' } });
  });
});

describe('AccessTokensDao.authenticate', () => {
  it('accepts the token and returns it with its user', async () => {
    const userId = await newUserId();
    const { accessToken, plaintext } = await tokens.create(userId, {
      name: 'ci',
      scopes: ['workflow:write'],
      expiresAt: inDays(1),
    });
    const authenticated = await tokens.authenticate(plaintext);
    expect(authenticated).toMatchObject({ id: accessToken.id, scopes: ['workflow:write'], user: { id: userId } });
    expect(authenticated?.lastUsedAt).toBeInstanceOf(Date);
  });

  it('refuses unknown, malformed and almost-right tokens', async () => {
    const { plaintext } = await tokens.create(await newUserId(), {
      name: 'ci',
      scopes: ['repo:read'],
      expiresAt: inDays(1),
    });
    const flipped = plaintext.slice(0, -1) + (plaintext.endsWith('a') ? 'b' : 'a');
    expect(await tokens.authenticate(flipped)).toBeNull();
    expect(await tokens.authenticate(plaintext.slice('plue_pat_'.length))).toBeNull();
    expect(await tokens.authenticate('')).toBeNull();
    expect(await tokens.authenticate(`${plaintext} `)).toBeNull();
  });

  it('refuses an expired token', async () => {
    const { accessToken, plaintext } = await tokens.create(await newUserId(), {
      name: 'ci',
      scopes: ['repo:read'],
      expiresAt: inDays(1),
    });
    await admin.query(
      `UPDATE access_tokens SET created_at = now() - interval '2 days', expires_at = now() - interval '1 second'
        WHERE id = $1`,
      [accessToken.id],
    );
    expect(await tokens.authenticate(plaintext)).toBeNull();
  });

  it('refuses tokens of deactivated users and of users barred from signing in', async () => {
    const inactive = await insertUser(admin, { is_active: false });
    const barred = await insertUser(admin, { prohibit_login: true });
    for (const user of [inactive, barred]) {
      const { plaintext } = await tokens.create(user.id as number, {
        name: 'ci',
        scopes: ['repo:read'],
        expiresAt: inDays(1),
      });
      expect(await tokens.authenticate(plaintext)).toBeNull();
    }
  });

  it('writes last_used_at at most once a minute', async () => {
    const { accessToken, plaintext } = await tokens.create(await newUserId(), {
      name: 'ci',
      scopes: ['repo:read'],
      expiresAt: inDays(1),
    });
    expect(await writesOf(accessToken.id)).toBe(0);

    await tokens.authenticate(plaintext);
    const first = await storedRow(accessToken.id);
    expect(first.last_used_at).toBeInstanceOf(Date);
    expect(await writesOf(accessToken.id)).toBe(1);

    await tokens.authenticate(plaintext);
    expect(await writesOf(accessToken.id)).toBe(1);
    expect((await storedRow(accessToken.id)).last_used_at).toEqual(first.last_used_at);

    await admin.query(`UPDATE access_tokens SET last_used_at = now() - interval '61 seconds' WHERE id = $1`, [
      accessToken.id,
    ]);
    const writesBefore = await writesOf(accessToken.id);
    await tokens.authenticate(plaintext);
    expect(await writesOf(accessToken.id)).toBe(writesBefore + 1);
    expect((await storedRow(accessToken.id)).last_used_at.getTime()).toBeGreaterThan(first.last_used_at.getTime());
  });

  it('writes last_used_at once when many requests arrive together', async () => {
    const { accessToken, plaintext } = await tokens.create(await newUserId(), {
      name: 'ci',
      scopes: ['repo:read'],
      expiresAt: inDays(1),
    });
    const results = await Promise.all([1, 2, 3, 4, 5, 6].map(() => tokens.authenticate(plaintext)));
    expect(results.every((result) => result?.id === accessToken.id)).toBe(true);
    expect(await writesOf(accessToken.id)).toBe(1);
  });
});

describe('list and revoke', () => {
  it("lists only the owner's tokens, newest first, and revokes only the owner's", async () => {
    const owner = await newUserId();
    const stranger = await newUserId();
    const older = await tokens.create(owner, { name: 'one', scopes: ['repo:read'], expiresAt: inDays(1) });
    const newer = await tokens.create(owner, { name: 'two', scopes: ['repo:read'], expiresAt: inDays(1) });
    await tokens.create(stranger, { name: 'one', scopes: ['repo:read'], expiresAt: inDays(1) });
    expect((await tokens.list(owner)).map((token) => token.name)).toEqual(['two', 'one']);

    await expect(tokens.revoke(stranger, older.accessToken.id)).rejects.toMatchObject({ code: 'not_found' });
    await tokens.revoke(owner, older.accessToken.id);
    expect(await tokens.authenticate(older.plaintext)).toBeNull();
    expect(await tokens.authenticate(newer.plaintext)).not.toBeNull();
  });
});
