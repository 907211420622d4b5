import { ValidationError } from '@plue/db';
import { generateSecret, SECRET_LENGTH, sha256Hex } from './secrets';

/**
 * Personal access tokens: `plue_pat_` + 43 base62 characters (256 random bits). The prefix lets
 * secret scanners and humans recognise a leaked token. Only the SHA-256 (lowercase hex) and the
 * last eight characters are stored; the token itself is shown once, when created.
 */
export const ACCESS_TOKEN_PREFIX = 'plue_pat_';

export const ACCESS_TOKEN_PATTERN = new RegExp(`^${ACCESS_TOKEN_PREFIX}[0-9A-Za-z]{${SECRET_LENGTH}}$`);

/** Every scope a token can hold: the list in the access_tokens_scopes_check constraint. */
export const ACCESS_TOKEN_SCOPES = [
  'repo:read',
  'repo:write',
  'issue:read',
  'issue:write',
  'user:read',
  'user:write',
  'admin',
  'workflow:read',
  'workflow:write',
  'agent:read',
  'agent:write',
] as const;
export type AccessTokenScope = (typeof ACCESS_TOKEN_SCOPES)[number];

/** Tokens always expire, at most this long after creation. */
export const MAX_ACCESS_TOKEN_LIFETIME_MS = 365 * 24 * 60 * 60 * 1000;

export interface GeneratedAccessToken {
  /** Show this to the user once; it is never stored. */
  plaintext: string;
  tokenHash: string;
  tokenLastEight: string;
}

export function generateAccessToken(): GeneratedAccessToken {
  const plaintext = ACCESS_TOKEN_PREFIX + generateSecret();
  return { plaintext, tokenHash: hashAccessToken(plaintext), tokenLastEight: plaintext.slice(-8) };
}

export function hashAccessToken(plaintext: string): string {
  return sha256Hex(plaintext);
}

export function isAccessTokenScope(scope: string): scope is AccessTokenScope {
  return (ACCESS_TOKEN_SCOPES as readonly string[]).includes(scope);
}

/**
 * Whether a token holding `granted` may do what `required` allows. A `:write` scope includes the
 * matching `:read`; nothing else is implied (`admin` is its own scope, not a superset). Asking about
 * a scope that does not exist is a programming error, refused with ValidationError naming it,
 * rather than a silent "no".
 */
export function hasScope(granted: readonly string[], required: string): boolean {
  if (!isAccessTokenScope(required)) {
    throw new ValidationError([{ field: 'scope', message: `unknown scope "${required}"` }]);
  }
  if (granted.includes(required)) return true;
  return required.endsWith(':read') && granted.includes(required.replace(/:read$/, ':write'));
}
