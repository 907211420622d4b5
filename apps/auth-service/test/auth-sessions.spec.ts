import {
  AuthenticateAuthSessionRpc,
  CreateAuthSessionRpc,
  DeactivateUserRpc,
  ListAuthSessionsRpc,
  RefreshAuthSessionRpc,
  RevokeAllAuthSessionsRpc,
  RevokeAuthSessionByCookieRpc,
  RevokeAuthSessionRpc,
  SetUserLoginProhibitedRpc,
} from '@plue/contracts';
import { RpcCallError } from '@plue/service-kit';
import { insertUser } from '@plue/testing';
import { createHash } from 'node:crypto';
import { rpcFailure } from './rpc-failure';
import { useAuthService } from './service-under-test';

const auth = useAuthService();
const MISSING = 987_654_321;
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const newUser = () => insertUser(auth().admin);

it('signs in, authenticates and refreshes by cookie, lists, and signs out; the cookie is only in the create reply', async () => {
  const { rpc, admin, service } = auth();
  const user = await newUser();
  const userId = user.id as number;
  const replies: unknown[] = [];
  const call: typeof rpc.call = async (contract, request) => {
    const reply = await rpc.call(contract, request);
    replies.push(reply);
    return reply;
  };

  const created = await call(CreateAuthSessionRpc, { userId, userAgent: 'curl/8', ip: '203.0.113.7' });
  const { cookieValue, session } = created;
  expect(cookieValue).toMatch(/^[0-9A-Za-z]{43}$/);
  expect(session).toMatchObject({ userId, userAgent: 'curl/8', ip: '203.0.113.7' });
  const stored = await admin.query('SELECT session_key FROM auth_sessions WHERE id = $1', [session.id]);
  expect(stored.rows).toEqual([{ session_key: sha256(cookieValue) }]);
  const login = await admin.query('SELECT last_login_at FROM users WHERE id = $1', [userId]);
  expect(login.rows[0].last_login_at).toBeInstanceOf(Date);

  expect(await call(AuthenticateAuthSessionRpc, { cookieValue })).toEqual({
    sessionId: session.id,
    userId,
    username: user.username,
    expiresAt: session.expiresAt,
  });
  const refreshed = await call(RefreshAuthSessionRpc, { cookieValue });
  expect(refreshed.id).toBe(session.id);
  expect(new Date(refreshed.expiresAt).getTime()).toBeGreaterThanOrEqual(new Date(session.expiresAt).getTime());
  expect(await call(ListAuthSessionsRpc, { userId })).toEqual({ items: [refreshed] });

  expect(await call(RevokeAuthSessionByCookieRpc, { cookieValue })).toEqual({ revoked: true });
  expect(await call(RevokeAuthSessionByCookieRpc, { cookieValue })).toEqual({ revoked: false });
  expect(await rpcFailure(rpc, AuthenticateAuthSessionRpc, { cookieValue })).toMatchObject({
    code: 'unauthenticated',
  });

  // No reply after create carries the cookie; none carries its hash or a key field; nor do the logs.
  expect(JSON.stringify(replies.slice(1))).not.toContain(cookieValue);
  expect(JSON.stringify(replies)).not.toContain(sha256(cookieValue));
  expect(JSON.stringify(replies)).not.toMatch(/session_?key/i);
  expect(JSON.stringify(service.logs)).not.toContain(cookieValue);
  expect(JSON.stringify(service.logs)).not.toContain(sha256(cookieValue));
});

it('revokes one session of a user, or all but the current one', async () => {
  const { rpc } = auth();
  const userId = (await newUser()).id as number;
  const [current, second, third] = [
    await rpc.call(CreateAuthSessionRpc, { userId }),
    await rpc.call(CreateAuthSessionRpc, { userId }),
    await rpc.call(CreateAuthSessionRpc, { userId }),
  ];

  expect(await rpc.call(RevokeAuthSessionRpc, { userId, sessionId: second.session.id })).toEqual({
    revoked: true,
    sessionId: second.session.id,
  });
  expect(await rpc.call(RevokeAllAuthSessionsRpc, { userId, exceptSessionId: current.session.id })).toEqual({
    revokedCount: 1,
  });
  expect((await rpc.call(ListAuthSessionsRpc, { userId })).items.map((session) => session.id)).toEqual([
    current.session.id,
  ]);
  await expect(rpc.call(AuthenticateAuthSessionRpc, { cookieValue: third.cookieValue })).rejects.toMatchObject({
    code: 'unauthenticated',
  });
  expect(await rpc.call(RevokeAllAuthSessionsRpc, { userId })).toEqual({ revokedCount: 1 });
});

it('gives no session to a user who may not sign in, and refuses every bad cookie with one answer', async () => {
  const { rpc, admin, count } = auth();
  const barred = (await newUser()).id as number;
  const inactive = (await newUser()).id as number;
  const active = (await newUser()).id as number;
  const live = await rpc.call(CreateAuthSessionRpc, { userId: active });
  const expired = await rpc.call(CreateAuthSessionRpc, { userId: active });
  await admin.query(
    `UPDATE auth_sessions SET created_at = now() - interval '2 days', expires_at = now() - interval '1 day'
      WHERE id = $1`,
    [expired.session.id],
  );
  await rpc.call(SetUserLoginProhibitedRpc, { userId: barred, prohibited: true });
  await rpc.call(DeactivateUserRpc, { userId: inactive });
  const before = await count('auth_sessions');

  for (const userId of [barred, inactive]) {
    expect(await rpcFailure(rpc, CreateAuthSessionRpc, { userId })).toMatchObject({
      code: 'unauthenticated',
      details: {},
    });
  }
  expect(await count('auth_sessions')).toBe(before);
  const { rows } = await admin.query(
    'SELECT count(*)::int AS n FROM users WHERE id = ANY($1) AND last_login_at IS NOT NULL',
    [[barred, inactive]],
  );
  expect(rows).toEqual([{ n: 0 }]);

  const refusals: RpcCallError[] = [];
  for (const cookieValue of [expired.cookieValue, 'A'.repeat(43), 'not a cookie']) {
    refusals.push(await rpcFailure(rpc, AuthenticateAuthSessionRpc, { cookieValue }));
    refusals.push(await rpcFailure(rpc, RefreshAuthSessionRpc, { cookieValue }));
  }
  for (const refusal of refusals) expect(refusal).toMatchObject({ code: 'unauthenticated', details: {} });
  expect(new Set(refusals.map((refusal) => refusal.message.replace(/^\S+: /, ''))).size).toBe(1);
  // A user barred after signing in loses the session at once.
  await rpc.call(SetUserLoginProhibitedRpc, { userId: active, prohibited: true });
  expect(await rpcFailure(rpc, AuthenticateAuthSessionRpc, { cookieValue: live.cookieValue })).toMatchObject({
    code: 'unauthenticated',
  });
});

it('refuses a bad request naming the field and writes nothing; unknown users and sessions are not_found', async () => {
  const { rpc, count } = auth();
  const userId = (await newUser()).id as number;
  const before = await count('auth_sessions');

  expect(await rpcFailure(rpc, CreateAuthSessionRpc, { userId, ip: 'not-an-ip' })).toMatchObject({
    code: 'validation_failed',
    details: { issues: [{ field: 'ip', message: expect.any(String) }] },
  });
  expect(await rpcFailure(rpc, CreateAuthSessionRpc, { userId, remember: true })).toMatchObject({
    code: 'validation_failed',
    details: { issues: [{ field: '(input)', message: expect.stringContaining('remember') }] },
  });
  expect(await rpcFailure(rpc, CreateAuthSessionRpc, { userId: MISSING })).toMatchObject({ code: 'not_found' });
  expect(await count('auth_sessions')).toBe(before);
  expect(await rpcFailure(rpc, RevokeAuthSessionRpc, { userId, sessionId: MISSING })).toMatchObject({
    code: 'not_found',
  });
});
