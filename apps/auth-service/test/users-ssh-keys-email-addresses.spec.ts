import {
  AddEmailAddressRpc,
  AddSshKeyRpc,
  CreateAuthSessionRpc,
  DeactivateUserRpc,
  GetSshKeyByFingerprintRpc,
  GetUserByWalletAddressRpc,
  ListEmailAddressesRpc,
  ListSshKeysRpc,
  ReactivateUserRpc,
  RemoveEmailAddressRpc,
  RemoveSshKeyRpc,
  SetPrimaryEmailAddressRpc,
  SetUserLoginProhibitedRpc,
  UpdateUserRpc,
  VerifyEmailAddressRpc,
} from '@plue/contracts';
import { insertUser, unique } from '@plue/testing';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { rpcFailure } from './rpc-failure';
import { useAuthService } from './service-under-test';

const auth = useAuthService();
const MISSING = 987_654_321;
const newUsername = () =>
  unique('user-')
    .replace(/[^A-Za-z0-9-]/g, '')
    .slice(0, 39);
const newUserId = async () => (await insertUser(auth().admin)).id as number;

describe('users', () => {
  it('finds a user by wallet in any case, updates the profile, deactivates, reactivates and bars login', async () => {
    const { rpc, admin, count } = auth();
    const wallet = `0x${'ab'.repeat(20)}`;
    const user = await insertUser(admin, { wallet_address: wallet });
    const userId = user.id as number;

    const found = await rpc.call(GetUserByWalletAddressRpc, {
      walletAddress: wallet.toUpperCase().replace('0X', '0x'),
    });
    expect(found).toMatchObject({ id: userId, walletAddress: wallet });

    const username = newUsername();
    const updated = await rpc.call(UpdateUserRpc, { userId, username, displayName: 'Ada', walletAddress: null });
    expect(updated).toMatchObject({ id: userId, username, displayName: 'Ada', walletAddress: null });

    await rpc.call(CreateAuthSessionRpc, { userId });
    const deactivated = await rpc.call(DeactivateUserRpc, { userId });
    expect(deactivated).toMatchObject({ isActive: false });
    expect(await count('auth_sessions', 'user_id = $1', [userId])).toBe(0);
    expect(await rpc.call(ReactivateUserRpc, { userId })).toMatchObject({ isActive: true });

    await rpc.call(CreateAuthSessionRpc, { userId });
    expect(await rpc.call(SetUserLoginProhibitedRpc, { userId, prohibited: true })).toMatchObject({
      prohibitLogin: true,
    });
    expect(await count('auth_sessions', 'user_id = $1', [userId])).toBe(0);
    expect(await rpc.call(SetUserLoginProhibitedRpc, { userId, prohibited: false })).toMatchObject({
      prohibitLogin: false,
    });
  });

  it('refuses a bad profile update naming the field and changes nothing', async () => {
    const { rpc, admin } = auth();
    const user = await insertUser(admin, { display_name: 'Before' });
    const userId = user.id as number;
    const snapshot = async () => (await admin.query('SELECT * FROM users WHERE id = $1', [userId])).rows;
    const before = await snapshot();

    expect(
      await rpcFailure(rpc, UpdateUserRpc, { userId, displayName: 'After', username: 'no--double' }),
    ).toMatchObject({ code: 'validation_failed', details: { issues: [{ field: 'username' }] } });
    expect(await rpcFailure(rpc, UpdateUserRpc, { userId, avatarUrl: 'javascript:alert(1)' })).toMatchObject({
      code: 'validation_failed',
      details: { issues: [{ field: 'avatarUrl' }] },
    });
    expect(await rpcFailure(rpc, UpdateUserRpc, { userId, bio: 'x', email: 'a@b.example' })).toMatchObject({
      code: 'validation_failed',
      details: { issues: [{ field: '(input)', message: expect.stringContaining('email') }] },
    });
    expect(await rpcFailure(rpc, UpdateUserRpc, { userId })).toMatchObject({
      code: 'validation_failed',
      details: { issues: [{ field: '(input)', message: 'names no field to change' }] },
    });
    expect(await snapshot()).toEqual(before);
  });

  it('answers not_found for unknown users and wallets, conflict for a taken username', async () => {
    const { rpc, admin } = auth();
    const [taken, renamed] = [await insertUser(admin), await insertUser(admin)];
    expect(await rpcFailure(rpc, DeactivateUserRpc, { userId: MISSING })).toMatchObject({ code: 'not_found' });
    expect(await rpcFailure(rpc, UpdateUserRpc, { userId: MISSING, bio: 'x' })).toMatchObject({ code: 'not_found' });
    expect(await rpcFailure(rpc, GetUserByWalletAddressRpc, { walletAddress: `0x${'cd'.repeat(20)}` })).toMatchObject({
      code: 'not_found',
      details: { field: 'walletAddress' },
    });
    expect(
      await rpcFailure(rpc, UpdateUserRpc, {
        userId: renamed.id,
        username: (taken.username as string).toUpperCase(),
      }),
    ).toMatchObject({ code: 'conflict', details: { constraint: 'users_lower_username_key' } });
  });
});

describe('ssh keys', () => {
  let directory: string;
  let generated = 0;
  beforeAll(() => {
    directory = mkdtempSync(path.join(tmpdir(), 'plue-auth-service-ssh-'));
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  /** A fresh key pair from ssh-keygen: its public line and the fingerprint ssh-keygen prints for it. */
  function newPublicKey(): { line: string; fingerprint: string } {
    generated += 1;
    const file = path.join(directory, `key-${generated}`);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'dev@laptop', '-f', file]);
    const fingerprint = execFileSync('ssh-keygen', ['-lf', `${file}.pub`])
      .toString()
      .split(' ')[1];
    return { line: readFileSync(`${file}.pub`, 'utf8'), fingerprint };
  }

  it('adds a key with the fingerprint ssh-keygen computes, finds it by fingerprint, lists and removes it', async () => {
    const { rpc } = auth();
    const userId = await newUserId();
    const { line, fingerprint } = newPublicKey();

    const key = await rpc.call(AddSshKeyRpc, { userId, name: 'laptop', publicKey: line });
    expect(key).toMatchObject({ userId, name: 'laptop', keyType: 'ssh-ed25519', fingerprint, publicKey: line.trim() });
    expect(await rpc.call(GetSshKeyByFingerprintRpc, { fingerprint })).toEqual(key);
    expect(await rpc.call(ListSshKeysRpc, { userId })).toEqual({ items: [key] });

    expect(await rpc.call(RemoveSshKeyRpc, { userId, keyId: key.id })).toEqual({ removed: true, keyId: key.id });
    expect(await rpcFailure(rpc, GetSshKeyByFingerprintRpc, { fingerprint })).toMatchObject({ code: 'not_found' });
    expect(await rpcFailure(rpc, RemoveSshKeyRpc, { userId, keyId: key.id })).toMatchObject({ code: 'not_found' });
  });

  it('refuses a malformed key naming the field and writes nothing; a key of another user is a conflict', async () => {
    const { rpc, count } = auth();
    const [owner, other] = [await newUserId(), await newUserId()];
    const { line } = newPublicKey();
    await rpc.call(AddSshKeyRpc, { userId: owner, name: 'laptop', publicKey: line });
    const before = await count('ssh_keys');

    expect(
      await rpcFailure(rpc, AddSshKeyRpc, { userId: other, name: 'bad', publicKey: 'ssh-ed25519 AAAA' }),
    ).toMatchObject({
      code: 'validation_failed',
      details: { issues: [{ field: 'publicKey', message: expect.any(String) }] },
    });
    expect(await rpcFailure(rpc, AddSshKeyRpc, { userId: other, name: '', publicKey: line })).toMatchObject({
      code: 'validation_failed',
      details: { issues: [{ field: 'name' }] },
    });
    expect(await rpcFailure(rpc, AddSshKeyRpc, { userId: other, name: 'stolen', publicKey: line })).toMatchObject({
      code: 'conflict',
      details: { constraint: 'ssh_keys_fingerprint_key' },
    });
    expect(
      await rpcFailure(rpc, AddSshKeyRpc, { userId: MISSING, name: 'orphan', publicKey: newPublicKey().line }),
    ).toMatchObject({ code: 'missing_reference' });
    expect(await count('ssh_keys')).toBe(before);
  });
});

describe('e-mail addresses', () => {
  it('adds, verifies, makes primary (mirrored into the user), lists and removes addresses', async () => {
    const { rpc, admin } = auth();
    const userId = await newUserId();
    const email = `${unique('ada-')}@example.com`;

    const added = await rpc.call(AddEmailAddressRpc, { userId, email });
    expect(added).toMatchObject({ userId, email, isPrimary: false, isVerified: false });
    expect(await rpcFailure(rpc, SetPrimaryEmailAddressRpc, { userId, emailAddressId: added.id })).toMatchObject({
      code: 'conflict',
      details: { field: 'isVerified' },
    });
    expect(await rpc.call(VerifyEmailAddressRpc, { userId, emailAddressId: added.id })).toMatchObject({
      isVerified: true,
    });
    expect(await rpc.call(SetPrimaryEmailAddressRpc, { userId, emailAddressId: added.id })).toMatchObject({
      isPrimary: true,
    });
    const { rows } = await admin.query('SELECT email FROM users WHERE id = $1', [userId]);
    expect(rows).toEqual([{ email }]);

    const second = await rpc.call(AddEmailAddressRpc, {
      userId,
      email: `${unique('b-')}@example.com`,
      isVerified: true,
    });
    const listed = await rpc.call(ListEmailAddressesRpc, { userId });
    expect(listed.items.map((address) => address.id)).toEqual([added.id, second.id]);

    expect(await rpcFailure(rpc, RemoveEmailAddressRpc, { userId, emailAddressId: added.id })).toMatchObject({
      code: 'conflict',
      details: { field: 'isPrimary' },
    });
    expect(await rpc.call(RemoveEmailAddressRpc, { userId, emailAddressId: second.id })).toEqual({
      removed: true,
      emailAddressId: second.id,
    });
    expect(await rpc.call(ListEmailAddressesRpc, { userId })).toMatchObject({ items: [{ id: added.id }] });
  });

  it('refuses a malformed address naming the field and writes nothing; taken or unknown ones get their code', async () => {
    const { rpc, count } = auth();
    const [owner, other] = [await newUserId(), await newUserId()];
    const email = `${unique('taken-')}@example.com`;
    await rpc.call(AddEmailAddressRpc, { userId: owner, email });
    const before = await count('email_addresses');

    expect(await rpcFailure(rpc, AddEmailAddressRpc, { userId: other, email: 'no at sign' })).toMatchObject({
      code: 'validation_failed',
      details: { issues: [{ field: 'email' }] },
    });
    expect(await rpcFailure(rpc, AddEmailAddressRpc, { userId: other, email: email.toUpperCase() })).toMatchObject({
      code: 'conflict',
      details: { constraint: 'email_addresses_lower_email_key' },
    });
    expect(
      await rpcFailure(rpc, AddEmailAddressRpc, { userId: MISSING, email: `${unique('x-')}@example.com` }),
    ).toMatchObject({ code: 'missing_reference' });
    expect(await rpcFailure(rpc, VerifyEmailAddressRpc, { userId: other, emailAddressId: MISSING })).toMatchObject({
      code: 'not_found',
    });
    expect(await count('email_addresses')).toBe(before);
  });
});
