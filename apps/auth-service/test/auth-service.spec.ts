import { ACCESS_TOKEN_SCOPES } from '@plue/auth';
import {
  ACCESS_TOKEN_SCOPE_NAMES,
  AuthenticateAccessTokenRpc,
  CreateAccessTokenRpc,
  CreateUserRpc,
  GetUserByUsernameRpc,
  GetUserRpc,
  IssueSiweNonceRpc,
  ListAccessTokensRpc,
  RevokeAccessTokenRpc,
} from '@plue/contracts';
import { RpcCallError } from '@plue/service-kit';
import { expectServiceReady, insertUser, unique } from '@plue/testing';
import { createHash } from 'node:crypto';
import { useAuthService } from './service-under-test';

const auth = useAuthService();

const inOneDay = () => new Date(Date.now() + 24 * 60 * 60 * 1000).toISOString();
const newUsername = () =>
  unique('user-')
    .replace(/[^A-Za-z0-9-]/g, '')
    .slice(0, 39);
const HASH_FIELD = /token_?hash/i;

it('starts from its build output alone and answers readiness with each check', async () => {
  const { healthPort } = auth();
  // The confirmations of the ghost hand-over (flow 6).
  await expectServiceReady(healthPort, {
    relaySchema: 'auth',
    consumerSubjects: ['plue.collaboration.user_content.reassigned', 'plue.git.user_content.reassigned'],
  });
});

it('declares the same access token scopes as the auth lib', () => {
  expect([...ACCESS_TOKEN_SCOPE_NAMES]).toEqual([...ACCESS_TOKEN_SCOPES]);
});

it('creates a user and finds it by id and by username in any case', async () => {
  const { rpc } = auth();
  const username = newUsername();
  const created = await rpc.call(CreateUserRpc, { username, displayName: 'Ada' });
  expect(created).toMatchObject({ username, displayName: 'Ada', isActive: true, isAdmin: false, lastLoginAt: null });

  expect(await rpc.call(GetUserByUsernameRpc, { username: username.toUpperCase() })).toEqual(created);
  expect(await rpc.call(GetUserByUsernameRpc, { username: username.toLowerCase() })).toEqual(created);
  expect(await rpc.call(GetUserRpc, { userId: created.id })).toEqual(created);

  const taken = await rpc.call(CreateUserRpc, { username: username.toUpperCase() }).catch((error: unknown) => error);
  expect(taken).toMatchObject({ code: 'conflict', details: { constraint: 'users_lower_username_key' } });
  const missing = await rpc.call(GetUserByUsernameRpc, { username: newUsername() }).catch((error: unknown) => error);
  expect(missing).toMatchObject({ code: 'not_found', details: { field: 'username' } });
  const noId = await rpc.call(GetUserRpc, { userId: 987_654_321 }).catch((error: unknown) => error);
  expect(noId).toMatchObject({ code: 'not_found', details: { field: 'userId' } });
});

it('creates a token, authenticates it, lists and revokes it, and never replies with a hash', async () => {
  const { rpc, admin, service } = auth();
  const user = await insertUser(admin);
  const replies: unknown[] = [];
  const call: typeof rpc.call = async (contract, request) => {
    const reply = await rpc.call(contract, request);
    replies.push(reply);
    return reply;
  };

  const created = await call(CreateAccessTokenRpc, {
    userId: user.id as number,
    name: 'ci',
    scopes: ['repo:read', 'issue:write', 'repo:read'],
    expiresAt: inOneDay(),
  });
  expect(created.plaintext).toMatch(/^plue_pat_[0-9A-Za-z]{43}$/);
  expect(created.accessToken).toMatchObject({
    userId: user.id,
    name: 'ci',
    scopes: ['repo:read', 'issue:write'],
    tokenLastEight: created.plaintext.slice(-8),
    lastUsedAt: null,
  });

  const authenticated = await call(AuthenticateAccessTokenRpc, { token: created.plaintext });
  expect(authenticated).toEqual({
    userId: user.id,
    username: user.username,
    tokenId: created.accessToken.id,
    scopes: ['repo:read', 'issue:write'],
    expiresAt: created.accessToken.expiresAt,
  });

  const listed = await call(ListAccessTokensRpc, { userId: user.id as number });
  expect(listed.items).toEqual([{ ...created.accessToken, lastUsedAt: expect.any(String) }]);

  expect(await call(RevokeAccessTokenRpc, { userId: user.id as number, tokenId: created.accessToken.id })).toEqual({
    revoked: true,
    tokenId: created.accessToken.id,
  });
  const again = await rpc
    .call(RevokeAccessTokenRpc, { userId: user.id as number, tokenId: created.accessToken.id })
    .catch((error: unknown) => error);
  expect(again).toMatchObject({ code: 'not_found' });
  expect(await call(ListAccessTokensRpc, { userId: user.id as number })).toEqual({ items: [] });

  // The plaintext is in the create reply only; no reply carries the stored hash or a hash field.
  const hash = createHash('sha256').update(created.plaintext).digest('hex');
  const afterCreate = JSON.stringify(replies.slice(1));
  expect(afterCreate).not.toContain(created.plaintext);
  expect(JSON.stringify(replies)).not.toContain(hash);
  expect(JSON.stringify(replies)).not.toMatch(HASH_FIELD);
  // Nor does the service log it (debug level logs every handled message).
  expect(JSON.stringify(service.logs)).not.toContain(created.plaintext);
  expect(JSON.stringify(service.logs)).not.toContain(hash);
});

it('refuses a revoked, unknown, malformed or expired token with the code unauthenticated', async () => {
  const { rpc, admin } = auth();
  const user = await insertUser(admin);
  const revoked = await rpc.call(CreateAccessTokenRpc, {
    userId: user.id as number,
    name: 'short-lived',
    scopes: ['repo:read'],
    expiresAt: inOneDay(),
  });
  await rpc.call(RevokeAccessTokenRpc, { userId: user.id as number, tokenId: revoked.accessToken.id });
  const expired = await rpc.call(CreateAccessTokenRpc, {
    userId: user.id as number,
    name: 'expired',
    scopes: ['repo:read'],
    expiresAt: inOneDay(),
  });
  await admin.query(
    `UPDATE access_tokens SET created_at = now() - interval '2 days',
    expires_at = now() - interval '1 day' WHERE id = $1`,
    [expired.accessToken.id],
  );
  const unknown = `plue_pat_${'A'.repeat(43)}`;

  const refusals = await Promise.all(
    [revoked.plaintext, unknown, 'not-a-token', expired.plaintext].map((token) =>
      rpc.call(AuthenticateAccessTokenRpc, { token }).catch((error: unknown) => error),
    ),
  );

  for (const refusal of refusals) {
    expect(refusal).toBeInstanceOf(RpcCallError);
    expect(refusal).toMatchObject({ code: 'unauthenticated', details: {} });
  }
  // The same answer whatever the reason, and never the token itself.
  expect(new Set(refusals.map((refusal) => (refusal as Error).message)).size).toBe(1);
  expect(JSON.stringify(refusals.map((refusal) => (refusal as Error).message))).not.toContain(revoked.plaintext);
});

it('issues a SIWE nonce and stores only its hash', async () => {
  const { rpc, admin } = auth();
  const wallet = `0x${'AbCdEf0123'.repeat(4)}`;
  const issued = await rpc.call(IssueSiweNonceRpc, { walletAddress: wallet, ttlSeconds: 120 });

  expect(issued.nonce).toMatch(/^[0-9A-Za-z]{43}$/);
  expect(new Date(issued.expiresAt).getTime()).toBeGreaterThan(Date.now() + 100_000);
  const hash = createHash('sha256').update(issued.nonce).digest('hex');
  const { rows } = await admin.query('SELECT nonce, wallet_address FROM siwe_nonces WHERE nonce IN ($1, $2)', [
    hash,
    issued.nonce,
  ]);
  expect(rows).toEqual([{ nonce: hash, wallet_address: wallet.toLowerCase() }]);
});

it('answers an invalid request with a structured validation error and writes nothing', async () => {
  const { rpc, admin, count } = auth();
  const user = await insertUser(admin);
  const tables = ['users', 'access_tokens', 'siwe_nonces', 'auth.outbox'];
  const counts = async () => {
    const result: number[] = [];
    for (const table of tables) result.push(await count(table));
    return result;
  };
  const before = await counts();

  const failures = await Promise.all(
    [
      // Refused by the contract: unknown key, wrong types, unknown scope.
      rpc.callUnchecked(CreateUserRpc, { username: '', isRoot: true }),
      rpc.callUnchecked(CreateAccessTokenRpc, { userId: user.id, name: 'x', scopes: ['root'], expiresAt: 'soon' }),
      rpc.callUnchecked(IssueSiweNonceRpc, { walletAddress: '0x123', ttlSeconds: 0 }),
      // Refused by the DAO's rules, still before any SQL: a reserved name, a bad pattern, a past expiry.
      rpc.call(CreateUserRpc, { username: 'Ghost' }),
      rpc.call(CreateUserRpc, { username: 'no--double' }),
      rpc.call(CreateAccessTokenRpc, {
        userId: user.id as number,
        name: 'past',
        scopes: ['repo:read'],
        expiresAt: new Date(Date.now() - 1000).toISOString(),
      }),
    ].map((reply) =>
      reply.then(
        () => 'no error',
        (error: unknown) => error,
      ),
    ),
  );

  for (const failure of failures) {
    expect(failure).toBeInstanceOf(RpcCallError);
    expect(failure).toMatchObject({ code: 'validation_failed', details: { issues: expect.any(Array) } });
  }
  expect((failures[0] as RpcCallError).details.issues).toEqual(
    expect.arrayContaining([
      { field: 'username', message: expect.any(String) },
      { field: '(input)', message: expect.stringContaining('isRoot') },
    ]),
  );
  expect((failures[1] as RpcCallError).details.issues).toEqual(
    expect.arrayContaining([
      { field: 'scopes.0', message: expect.any(String) },
      { field: 'expiresAt', message: expect.any(String) },
    ]),
  );
  expect((failures[3] as RpcCallError).details.issues).toEqual([{ field: 'username', message: 'is reserved' }]);
  expect((failures[5] as RpcCallError).details.issues).toEqual([
    { field: 'expiresAt', message: 'must be in the future' },
  ]);
  expect(JSON.stringify(failures)).not.toMatch(/\bat .+\.js:\d+/);
  expect(await counts()).toEqual(before);
});

it('returns database-derived errors with their code, and a missing user is no token owner', async () => {
  const { rpc, admin } = auth();
  const orphan = await rpc
    .call(CreateAccessTokenRpc, { userId: 987_654_321, name: 'orphan', scopes: ['repo:read'], expiresAt: inOneDay() })
    .catch((error: unknown) => error);
  expect(orphan).toMatchObject({ code: 'missing_reference', details: { constraint: 'access_tokens_user_id_fkey' } });

  const user = await insertUser(admin);
  const request = { userId: user.id as number, name: 'dup', scopes: ['repo:read' as const], expiresAt: inOneDay() };
  await rpc.call(CreateAccessTokenRpc, request);
  const duplicate = await rpc.call(CreateAccessTokenRpc, request).catch((error: unknown) => error);
  expect(duplicate).toMatchObject({ code: 'conflict', details: { constraint: 'access_tokens_user_id_name_key' } });
});

it('on SIGTERM stops gracefully and exits 0', async () => {
  const { service } = auth();
  service.child.kill('SIGTERM');
  expect(await service.exited).toBe(0);
  expect(service.logs.map((line) => line.msg)).toEqual(
    expect.arrayContaining(['auth-service stopping', 'auth-service stopped']),
  );
  expect(service.logs.filter((line) => line.level === 'error')).toEqual([]);
});
