import { ConflictError, NotFoundError, ValidationError } from '@plue/db';
import { insertUser, useTestDatabase } from '@plue/testing';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { SshKeysDao } from '../src';
import { authDataSource, countRows } from './fixtures';

const database = useTestDatabase();
let dataSource: DataSource;
let admin: Client;
let keys: SshKeysDao;
let directory: string;
let generatedKeys = 0;

beforeAll(async () => {
  dataSource = await authDataSource(database());
  admin = await database().connect();
  keys = new SshKeysDao(dataSource);
  directory = mkdtempSync(path.join(tmpdir(), 'plue-ssh-dao-'));
});
afterAll(async () => {
  rmSync(directory, { recursive: true, force: true });
  await dataSource.destroy();
});

function newPublicKey(comment = 'dev@laptop'): { line: string; fingerprint: string } {
  generatedKeys += 1;
  const file = path.join(directory, `key-${generatedKeys}`);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]);
  const fingerprint = execFileSync('ssh-keygen', ['-lf', `${file}.pub`])
    .toString()
    .split(' ')[1];
  return { line: readFileSync(`${file}.pub`, 'utf8'), fingerprint };
}
const newUserId = async () => (await insertUser(admin)).id as number;

describe('SshKeysDao', () => {
  it('stores the normalised key, its type and its ssh-keygen fingerprint', async () => {
    const userId = await newUserId();
    const { line, fingerprint } = newPublicKey();
    const key = await keys.add(userId, { name: 'laptop', publicKey: `\n ${line}` });
    expect(key).toMatchObject({ userId, name: 'laptop', keyType: 'ssh-ed25519', fingerprint, publicKey: line.trim() });
    expect((await keys.getByFingerprint(fingerprint))?.id).toBe(key.id);
    expect((await keys.list(userId)).map((listed) => listed.id)).toEqual([key.id]);
  });

  it('refuses a key that any user already added, whatever its comment, naming the constraint', async () => {
    const { line } = newPublicKey('first');
    await keys.add(await newUserId(), { name: 'one', publicKey: line });
    const sameKeyOtherComment = line.replace(' first', ' second');
    const attempt = keys.add(await newUserId(), { name: 'two', publicKey: sameKeyOtherComment });
    await expect(attempt).rejects.toBeInstanceOf(ConflictError);
    await expect(attempt).rejects.toMatchObject({ details: { constraint: 'ssh_keys_fingerprint_key' } });
  });

  it('refuses a second key of the same name for one user', async () => {
    const userId = await newUserId();
    await keys.add(userId, { name: 'laptop', publicKey: newPublicKey().line });
    await expect(keys.add(userId, { name: 'laptop', publicKey: newPublicKey().line })).rejects.toMatchObject({
      details: { constraint: 'ssh_keys_user_id_name_key' },
    });
  });

  it('refuses a malformed key before SQL, writing nothing', async () => {
    const userId = await newUserId();
    const before = await countRows(admin, 'ssh_keys');
    const attempt = keys.add(userId, { name: 'bad', publicKey: 'ssh-ed25519 AAAA' });
    await expect(attempt).rejects.toBeInstanceOf(ValidationError);
    await expect(attempt).rejects.toThrow(/publicKey: key data is truncated/);
    await expect(keys.add(userId, { name: ' ', publicKey: newPublicKey().line })).rejects.toThrow(
      /name: must not be empty/,
    );
    expect(await countRows(admin, 'ssh_keys')).toBe(before);
  });

  it('answers null for an unknown or malformed fingerprint', async () => {
    expect(await keys.getByFingerprint(`SHA256:${'A'.repeat(43)}`)).toBeNull();
    expect(await keys.getByFingerprint('MD5:aa:bb')).toBeNull();
  });

  it('records use at most once a minute', async () => {
    const key = await keys.add(await newUserId(), { name: 'ci', publicKey: newPublicKey().line });
    await keys.recordUse(key.id);
    const first = (await admin.query('SELECT last_used_at FROM ssh_keys WHERE id = $1', [key.id])).rows[0].last_used_at;
    expect(first).toBeInstanceOf(Date);
    await keys.recordUse(key.id);
    const second = (await admin.query('SELECT last_used_at FROM ssh_keys WHERE id = $1', [key.id])).rows[0]
      .last_used_at;
    expect(second).toEqual(first);
  });

  it("removes only the owner's key", async () => {
    const owner = await newUserId();
    const key = await keys.add(owner, { name: 'old', publicKey: newPublicKey().line });
    await expect(keys.remove(await newUserId(), key.id)).rejects.toBeInstanceOf(NotFoundError);
    await keys.remove(owner, key.id);
    expect(await keys.list(owner)).toEqual([]);
  });
});
