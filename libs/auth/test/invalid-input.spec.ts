import { ValidationError } from '@plue/db';
import { insertUser, useTestDatabase } from '@plue/testing';
import type { Client } from 'pg';
import type { DataSource } from 'typeorm';
import {
  AccessTokensDao,
  AuthSessionsDao,
  EmailAddressesDao,
  RateLimitsDao,
  SiweNoncesDao,
  SshKeysDao,
  UsersDao,
} from '../src';
import { authDataSource, countAllAuthRows } from './fixtures';

const database = useTestDatabase();
let dataSource: DataSource;
let admin: Client;
let userId: number;

beforeAll(async () => {
  dataSource = await authDataSource(database());
  admin = await database().connect();
  userId = (await insertUser(admin)).id as number;
});
afterAll(() => dataSource.destroy());

const tomorrow = () => new Date(Date.now() + 86_400_000);

/** Each call is refused before SQL; the field named in the error is the one at fault. */
const invalidCalls: [string, string, () => Promise<unknown>][] = [
  ['users.create: reserved name', 'username', () => new UsersDao(dataSource).create({ username: 'support' })],
  [
    'users.create: bad wallet address',
    'walletAddress',
    () => new UsersDao(dataSource).create({ username: 'w1', walletAddress: '0xzz' }),
  ],
  [
    'users.create: javascript: avatar URL',
    'avatarUrl',
    () => new UsersDao(dataSource).create({ username: 'a1', avatarUrl: 'javascript:alert(1)' }),
  ],
  [
    'users.create: bio too long',
    'bio',
    () => new UsersDao(dataSource).create({ username: 'b1', bio: 'x'.repeat(1025) }),
  ],
  [
    'users.create: NUL in display name',
    'displayName',
    () => new UsersDao(dataSource).create({ username: 'n1', displayName: 'a\u0000b' }),
  ],
  ['users.update: negative id', 'id', () => new UsersDao(dataSource).update(-1, { bio: 'x' })],
  ['users.update: bad e-mail', 'email', () => new UsersDao(dataSource).update(userId, { email: 'nope' })],
  ['emailAddresses.add: bad e-mail', 'email', () => new EmailAddressesDao(dataSource).add(userId, { email: 'a b@c' })],
  [
    'accessTokens.create: unknown scope',
    'scopes.0',
    () => new AccessTokensDao(dataSource).create(userId, { name: 't', scopes: ['everything'], expiresAt: tomorrow() }),
  ],
  [
    'accessTokens.create: no expiry',
    'expiresAt',
    () => new AccessTokensDao(dataSource).create(userId, { name: 't', scopes: ['repo:read'] } as never),
  ],
  ['authSessions.create: bad ip', 'ip', () => new AuthSessionsDao(dataSource).create(userId, { ip: 'localhost' })],
  [
    'siweNonces.issue: bad wallet',
    'walletAddress',
    () => new SiweNoncesDao(dataSource).issue({ walletAddress: 'abc' }),
  ],
  [
    'sshKeys.add: truncated rsa key',
    'publicKey',
    () => new SshKeysDao(dataSource).add(userId, { name: 'k', publicKey: 'ssh-rsa AAAAB3NzaC1yc2E=' }),
  ],
  ['rateLimits.hit: zero limit', 'limit', () => new RateLimitsDao(dataSource).hit('k', 60, 0)],
];

describe('invalid input writes nothing', () => {
  it.each(invalidCalls)('%s', async (_label, field, call) => {
    const before = await countAllAuthRows(admin);
    const error = await call().then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((issue) => issue.field)).toContain(field);
    expect(await countAllAuthRows(admin)).toEqual(before);
  });
});
