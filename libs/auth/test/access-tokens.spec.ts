import { ValidationError } from '@plue/db';
import { createHash } from 'node:crypto';
import { ACCESS_TOKEN_PATTERN, generateAccessToken, hashAccessToken, hasScope } from '../src';

describe('generateAccessToken', () => {
  it('makes a prefixed token of 256 random bits, its SHA-256 hex and its last eight characters', () => {
    const token = generateAccessToken();
    expect(token.plaintext).toMatch(/^plue_pat_[0-9A-Za-z]{43}$/);
    expect(token.plaintext).toMatch(ACCESS_TOKEN_PATTERN);
    expect(token.tokenHash).toBe(createHash('sha256').update(token.plaintext).digest('hex'));
    expect(token.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(token.tokenLastEight).toBe(token.plaintext.slice(-8));
    expect(hashAccessToken(token.plaintext)).toBe(token.tokenHash);
  });

  it('never repeats and uses the whole alphabet (no fixed or biased characters)', () => {
    const tokens = Array.from({ length: 2000 }, () => generateAccessToken().plaintext.slice('plue_pat_'.length));
    expect(new Set(tokens).size).toBe(tokens.length);
    expect(tokens.every((token) => token.length === 43)).toBe(true);
    expect(new Set(tokens.join('')).size).toBe(62);
  });
});

describe('hasScope', () => {
  it('grants held scopes, and :read through the matching :write', () => {
    expect(hasScope(['repo:read'], 'repo:read')).toBe(true);
    expect(hasScope(['repo:write'], 'repo:read')).toBe(true);
    expect(hasScope(['repo:read'], 'repo:write')).toBe(false);
    expect(hasScope(['issue:write'], 'repo:read')).toBe(false);
    expect(hasScope(['admin'], 'repo:write')).toBe(false);
    expect(hasScope(['admin'], 'admin')).toBe(true);
  });

  it('refuses an unknown scope by name instead of answering no', () => {
    expect(() => hasScope(['repo:read'], 'repo:delete')).toThrow(ValidationError);
    expect(() => hasScope(['repo:read'], 'repo:delete')).toThrow(/unknown scope "repo:delete"/);
  });
});
