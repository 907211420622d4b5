import { z } from 'zod';
import { ConfigurationError, ValidationError, bigintToNumber, parseInput, readDatabaseConfig } from '@plue/db';

describe('bigintToNumber', () => {
  it('reads bigint strings as numbers up to 2^53 - 1', () => {
    expect(bigintToNumber('42')).toBe(42);
    expect(bigintToNumber('9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('refuses values it cannot represent exactly', () => {
    expect(() => bigintToNumber('9007199254740993')).toThrow(RangeError);
  });
});

describe('parseInput', () => {
  const schema = z.object({ title: z.string().min(1), labels: z.array(z.number().int()) });

  it('returns the parsed input', () => {
    expect(parseInput(schema, { title: 'x', labels: [1] })).toEqual({ title: 'x', labels: [1] });
  });

  it('names every offending field', () => {
    try {
      parseInput(schema, { title: '', labels: [1, 'two'] });
      throw new Error('parseInput accepted bad input');
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues.map((issue) => issue.field)).toEqual(['title', 'labels.1']);
      expect((error as ValidationError).code).toBe('validation_failed');
    }
  });
});

describe('readDatabaseConfig', () => {
  it('applies defaults', () => {
    expect(readDatabaseConfig('svc', { DATABASE_URL: 'postgres://plue_git@db:5432/plue' })).toEqual({
      url: 'postgres://plue_git@db:5432/plue',
      poolSize: 10,
      statementTimeoutMs: 30_000,
      applicationName: 'svc',
    });
  });

  it('names each missing or malformed variable', () => {
    expect(() => readDatabaseConfig('svc', {})).toThrow(/DATABASE_URL is required/);
    expect(() => readDatabaseConfig('svc', { DATABASE_URL: 'mysql://x', DATABASE_POOL_SIZE: '0' })).toThrow(
      ConfigurationError,
    );
    expect(() => readDatabaseConfig('svc', { DATABASE_URL: 'mysql://x', DATABASE_POOL_SIZE: '0' })).toThrow(
      /DATABASE_URL must be a postgres:\/\/ URL; DATABASE_POOL_SIZE/,
    );
  });
});
