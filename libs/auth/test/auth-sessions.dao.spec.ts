import { NotFoundError, ValidationError } from '@plue/db';
import { insertUser, useTestDatabase } from '@plue/testing';
import { createHash } from 'node:crypto';
import type { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { AuthSessionsDao } from '../src';
import { authDataSource, countRows } from './fixtures';

const database = useTestDatabase();
let dataSource: DataSource;
let admin: Client;
let sessions: AuthSessionsDao;

const HOUR = 60 * 60;
const lifetimes = { idleTimeoutSeconds: 2 * HOUR, maxLifetimeSeconds: 10 * HOUR };

beforeAll(async () => {
  dataSource = await authDataSource(database());
  admin = await database().connect();
  sessions = new AuthSessionsDao(dataSource, lifetimes);
});
afterAll(() => dataSource.destroy());

const newUserId = async () => (await insertUser(admin)).id as number;
const secondsFromNow = (date: Date) => (date.getTime() - Date.now()) / 1000;

async function ageSession(id: number, createdHoursAgo: number, expiresInHours: number): Promise<void> {
  await admin.query(
    `UPDATE auth_sessions
        SET created_at = now() - make_interval(secs => $2), expires_at = now() + make_interval(secs => $3)
      WHERE id = $1`,
    [id, createdHoursAgo * HOUR, expiresInHours * HOUR],
  );
}

describe('AuthSessionsDao.create and getByCookie', () => {
  it('returns a 256-bit cookie value once and stores only its SHA-256', async () => {
    const userId = await newUserId();
    const { session, cookieValue } = await sessions.create(userId, { userAgent: 'curl/8', ip: '203.0.113.7' });
    expect(cookieValue).toMatch(/^[0-9A-Za-z]{43}$/);
    expect(session).toMatchObject({ userId, userAgent: 'curl/8', ip: '203.0.113.7' });
    expect(session.sessionKey).toBeUndefined();
    expect(secondsFromNow(session.expiresAt)).toBeCloseTo(lifetimes.idleTimeoutSeconds, -1);

    const { rows } = await admin.query('SELECT * FROM auth_sessions WHERE id = $1', [session.id]);
    expect(rows[0].session_key).toBe(createHash('sha256').update(cookieValue).digest('hex'));
    expect(JSON.stringify(rows[0])).not.toContain(cookieValue);
  });

  it('finds the live session and its user by cookie value, without exposing the hash', async () => {
    const userId = await newUserId();
    const { session, cookieValue } = await sessions.create(userId);
    const found = await sessions.getByCookie(cookieValue);
    expect(found).toMatchObject({ id: session.id, user: { id: userId } });
    expect(found?.sessionKey).toBeUndefined();
  });

  it('refuses unknown, malformed and expired cookies', async () => {
    const { session, cookieValue } = await sessions.create(await newUserId());
    expect(await sessions.getByCookie(cookieValue.slice(0, -1) + (cookieValue.endsWith('a') ? 'b' : 'a'))).toBeNull();
    expect(await sessions.getByCookie('not a cookie')).toBeNull();
    expect(await sessions.getByCookie(createHash('sha256').update(cookieValue).digest('hex'))).toBeNull();
    await ageSession(session.id, 3, -1 / 3600);
    expect(await sessions.getByCookie(cookieValue)).toBeNull();
  });

  it('refuses sessions of deactivated or barred users', async () => {
    for (const change of ['is_active = false', 'prohibit_login = true']) {
      const userId = await newUserId();
      const { cookieValue } = await sessions.create(userId);
      await admin.query(`UPDATE users SET ${change} WHERE id = $1`, [userId]);
      expect(await sessions.getByCookie(cookieValue)).toBeNull();
    }
  });

  it('cuts an over-long user agent instead of refusing the sign-in, and refuses a bad ip', async () => {
    const userId = await newUserId();
    const { session } = await sessions.create(userId, { userAgent: 'x'.repeat(2000) });
    expect(session.userAgent).toHaveLength(512);
    const before = await countRows(admin, 'auth_sessions');
    await expect(sessions.create(userId, { ip: '999.1.1.1' })).rejects.toBeInstanceOf(ValidationError);
    expect(await countRows(admin, 'auth_sessions')).toBe(before);
  });

  it('refuses lifetimes where the idle timeout exceeds the maximum', () => {
    expect(() => new AuthSessionsDao(dataSource, { idleTimeoutSeconds: 10, maxLifetimeSeconds: 5 })).toThrow(
      ValidationError,
    );
  });
});

describe('AuthSessionsDao.refresh', () => {
  it('slides expiry to now + idle timeout and records last_seen_at', async () => {
    const { session, cookieValue } = await sessions.create(await newUserId());
    await ageSession(session.id, 1, 1);
    const refreshed = await sessions.refresh(cookieValue);
    expect(secondsFromNow(refreshed!.expiresAt)).toBeCloseTo(lifetimes.idleTimeoutSeconds, -1);
    expect(refreshed!.lastSeenAt.getTime()).toBeGreaterThanOrEqual(session.lastSeenAt.getTime());
  });

  it('never extends beyond the maximum lifetime counted from creation', async () => {
    const { session, cookieValue } = await sessions.create(await newUserId());
    await ageSession(session.id, 9, 0.5);
    const refreshed = await sessions.refresh(cookieValue);
    expect(secondsFromNow(refreshed!.expiresAt)).toBeCloseTo(HOUR, -1);
  });

  it('does not revive an expired session or one at its maximum age', async () => {
    const expired = await sessions.create(await newUserId());
    await ageSession(expired.session.id, 3, -1 / 3600);
    expect(await sessions.refresh(expired.cookieValue)).toBeNull();

    const old = await sessions.create(await newUserId());
    await ageSession(old.session.id, 10, 0.5);
    expect(await sessions.refresh(old.cookieValue)).toBeNull();
  });
});

describe('revoking', () => {
  it('signs out by cookie', async () => {
    const { cookieValue } = await sessions.create(await newUserId());
    expect(await sessions.revokeByCookie(cookieValue)).toBe(true);
    expect(await sessions.getByCookie(cookieValue)).toBeNull();
    expect(await sessions.revokeByCookie(cookieValue)).toBe(false);
  });

  it("lists and revokes only the owner's sessions", async () => {
    const owner = await newUserId();
    const stranger = await newUserId();
    const mine = await sessions.create(owner);
    const theirs = await sessions.create(stranger);
    expect((await sessions.listForUser(owner)).map((session) => session.id)).toEqual([mine.session.id]);
    await expect(sessions.revoke(owner, theirs.session.id)).rejects.toBeInstanceOf(NotFoundError);
    await sessions.revoke(owner, mine.session.id);
    expect(await sessions.getByCookie(mine.cookieValue)).toBeNull();
    expect(await sessions.getByCookie(theirs.cookieValue)).not.toBeNull();
  });

  it("revokes all of a user's sessions, optionally keeping the current one", async () => {
    const userId = await newUserId();
    const [current, other, another] = await Promise.all([1, 2, 3].map(() => sessions.create(userId)));
    const bystander = await sessions.create(await newUserId());
    expect(await sessions.revokeAllForUser(userId, { exceptSessionId: current.session.id })).toBe(2);
    expect(await sessions.getByCookie(current.cookieValue)).not.toBeNull();
    expect(await sessions.getByCookie(other.cookieValue)).toBeNull();
    expect(await sessions.getByCookie(another.cookieValue)).toBeNull();
    expect(await sessions.revokeAllForUser(userId)).toBe(1);
    expect(await sessions.getByCookie(bystander.cookieValue)).not.toBeNull();
  });

  it('deletes expired sessions only', async () => {
    const live = await sessions.create(await newUserId());
    const expired = await sessions.create(await newUserId());
    await ageSession(expired.session.id, 3, -1);
    expect(await sessions.deleteExpired()).toBeGreaterThanOrEqual(1);
    const { rows } = await admin.query('SELECT id FROM auth_sessions WHERE id = ANY($1)', [
      [live.session.id, expired.session.id],
    ]);
    expect(rows.map((row) => Number(row.id))).toEqual([live.session.id]);
  });
});
