import { ValidationError } from '@plue/db';
import { useTestDatabase } from '@plue/testing';
import { createHash } from 'node:crypto';
import type { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { SiweNoncesDao } from '../src';
import { authDataSource, countRows } from './fixtures';

const database = useTestDatabase();
let dataSource: DataSource;
let admin: Client;
let nonces: SiweNoncesDao;

beforeAll(async () => {
  dataSource = await authDataSource(database(), 8);
  admin = await database().connect();
  nonces = new SiweNoncesDao(dataSource);
});
afterAll(() => dataSource.destroy());

const WALLET = `0x${'ab'.repeat(20)}`;
const OTHER_WALLET = `0x${'cd'.repeat(20)}`;
const hashOf = (nonce: string) => createHash('sha256').update(nonce).digest('hex');

describe('SiweNoncesDao', () => {
  it('issues a 256-bit alphanumeric nonce (EIP-4361) and stores only its SHA-256', async () => {
    const { nonce, expiresAt } = await nonces.issue({ ttlSeconds: 120 });
    expect(nonce).toMatch(/^[0-9A-Za-z]{43}$/);
    expect((expiresAt.getTime() - Date.now()) / 1000).toBeCloseTo(120, -1);
    const { rows } = await admin.query('SELECT nonce FROM siwe_nonces WHERE nonce = $1', [hashOf(nonce)]);
    expect(rows).toHaveLength(1);
    const plain = await admin.query('SELECT count(*)::int AS n FROM siwe_nonces WHERE nonce = $1', [nonce]);
    expect(plain.rows[0].n).toBe(0);
  });

  it('consumes a nonce exactly once', async () => {
    const { nonce } = await nonces.issue();
    const consumed = await nonces.consume(nonce);
    expect(consumed?.usedAt).toBeInstanceOf(Date);
    expect(consumed?.nonce).toBeUndefined();
    expect(await nonces.consume(nonce)).toBeNull();
  });

  it('lets exactly one of many concurrent consumers win', async () => {
    const { nonce } = await nonces.issue();
    const results = await Promise.all(Array.from({ length: 8 }, () => nonces.consume(nonce)));
    expect(results.filter((result) => result !== null)).toHaveLength(1);
  });

  it('refuses an expired nonce', async () => {
    const { nonce } = await nonces.issue();
    await admin.query(
      `UPDATE siwe_nonces SET created_at = now() - interval '10 minutes', expires_at = now() - interval '1 second'
        WHERE nonce = $1`,
      [hashOf(nonce)],
    );
    expect(await nonces.consume(nonce)).toBeNull();
  });

  it('binds a nonce issued for a wallet to that wallet, in any letter case', async () => {
    const { nonce } = await nonces.issue({ walletAddress: WALLET.toUpperCase().replace('0X', '0x') });
    expect(await nonces.consume(nonce, OTHER_WALLET)).toBeNull();
    expect(await nonces.consume(nonce)).toBeNull();
    expect(await nonces.consume(nonce, WALLET)).toMatchObject({ walletAddress: WALLET });
  });

  it('accepts any wallet for an unbound nonce', async () => {
    const { nonce } = await nonces.issue();
    expect(await nonces.consume(nonce, OTHER_WALLET)).not.toBeNull();
  });

  it('answers null for a malformed nonce and refuses bad issue input before SQL', async () => {
    expect(await nonces.consume('short')).toBeNull();
    const before = await countRows(admin, 'siwe_nonces');
    await expect(nonces.issue({ walletAddress: '0x123' })).rejects.toBeInstanceOf(ValidationError);
    await expect(nonces.issue({ ttlSeconds: 0 })).rejects.toBeInstanceOf(ValidationError);
    await expect(nonces.issue({ ttlSeconds: 24 * 3600 })).rejects.toBeInstanceOf(ValidationError);
    expect(await countRows(admin, 'siwe_nonces')).toBe(before);
    await expect(nonces.consume('x'.repeat(43), 'not-a-wallet')).rejects.toBeInstanceOf(ValidationError);
  });

  it('deletes expired nonces only', async () => {
    const live = await nonces.issue();
    const expired = await nonces.issue();
    await admin.query(
      `UPDATE siwe_nonces SET created_at = now() - interval '10 minutes', expires_at = now() - interval '1 second'
        WHERE nonce = $1`,
      [hashOf(expired.nonce)],
    );
    expect(await nonces.deleteExpired()).toBeGreaterThanOrEqual(1);
    const { rows } = await admin.query('SELECT nonce FROM siwe_nonces WHERE nonce = ANY($1)', [
      [hashOf(live.nonce), hashOf(expired.nonce)],
    ]);
    expect(rows.map((row) => row.nonce)).toEqual([hashOf(live.nonce)]);
  });
});
