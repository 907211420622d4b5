import { ValidationError } from '@plue/db';
import { unique, useTestDatabase } from '@plue/testing';
import type { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { RateLimitsDao } from '../src';
import { authDataSource, countRows } from './fixtures';

const database = useTestDatabase();
let dataSource: DataSource;
let admin: Client;
let limits: RateLimitsDao;

beforeAll(async () => {
  dataSource = await authDataSource(database(), 8);
  admin = await database().connect();
  limits = new RateLimitsDao(dataSource);
});
afterAll(() => dataSource.destroy());

describe('RateLimitsDao.hit', () => {
  it('counts hits in a window aligned to its length and allows up to the limit', async () => {
    const key = unique('login:');
    const results = [];
    for (let i = 0; i < 4; i += 1) results.push(await limits.hit(key, 3600, 3));
    expect(results.map((result) => [result.count, result.allowed])).toEqual([
      [1, true],
      [2, true],
      [3, true],
      [4, false],
    ]);
    const { windowStart, resetAt } = results[0];
    expect(windowStart.getTime() % 3_600_000).toBe(0);
    expect(resetAt.getTime() - windowStart.getTime()).toBe(3_600_000);
    expect(windowStart.getTime()).toBeLessThanOrEqual(Date.now());
    expect(resetAt.getTime()).toBeGreaterThan(Date.now());
  });

  it('keeps keys apart', async () => {
    const [a, b] = [unique('ip:'), unique('ip:')];
    await limits.hit(a, 60, 10);
    await limits.hit(a, 60, 10);
    expect((await limits.hit(b, 60, 10)).count).toBe(1);
  });

  it('loses no hit under concurrency', async () => {
    const key = unique('burst:');
    const results = await Promise.all(Array.from({ length: 20 }, () => limits.hit(key, 3600, 5)));
    expect(results.map((result) => result.count).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    expect(results.filter((result) => result.allowed)).toHaveLength(5);
  });

  it('starts a new count in the next window', async () => {
    const key = unique('window:');
    await limits.hit(key, 60, 1);
    await admin.query(`UPDATE rate_limits SET window_start = window_start - interval '60 seconds' WHERE key = $1`, [
      key,
    ]);
    expect((await limits.hit(key, 60, 1)).count).toBe(1);
  });

  it('refuses bad arguments before SQL', async () => {
    const before = await countRows(admin, 'rate_limits');
    for (const [key, window, limit] of [
      ['', 60, 1],
      ['k'.repeat(513), 60, 1],
      ['k', 0, 1],
      ['k', 1.5, 1],
      ['k', 60, 0],
    ] as const) {
      await expect(limits.hit(key, window, limit)).rejects.toBeInstanceOf(ValidationError);
    }
    expect(await countRows(admin, 'rate_limits')).toBe(before);
  });
});

describe('RateLimitsDao.deleteOldWindows', () => {
  it('deletes windows older than the given age and keeps the rest', async () => {
    const [old, current] = [unique('old:'), unique('current:')];
    await limits.hit(old, 60, 1);
    await limits.hit(current, 60, 1);
    await admin.query(`UPDATE rate_limits SET window_start = window_start - interval '2 hours' WHERE key = $1`, [old]);
    expect(await limits.deleteOldWindows(3600)).toBeGreaterThanOrEqual(1);
    const { rows } = await admin.query('SELECT key FROM rate_limits WHERE key = ANY($1)', [[old, current]]);
    expect(rows.map((row) => row.key)).toEqual([current]);
  });
});
