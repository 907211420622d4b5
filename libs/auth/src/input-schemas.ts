import { parseInput } from '@plue/db';
import { z } from 'zod';
import { isReservedUsername, USERNAME_PATTERN } from './usernames';

// zod building blocks mirroring the CHECK constraints of the auth tables, so bad input is refused
// with a clear message before it reaches SQL.

/** A bigint row id as JavaScript sees it. */
export const idSchema = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** Text of at most `max` characters as PostgreSQL counts them (code points, not UTF-16 units). */
export function textSchema(max: number) {
  return z
    .string()
    .refine((value) => [...value].length <= max, `must be at most ${max} characters`)
    .refine((value) => !value.includes('\u0000'), 'must not contain NUL characters');
}

/** A required name (token, key): 1 to 255 characters, not only whitespace. */
export const nameSchema = textSchema(255).refine((value) => value.trim() !== '', 'must not be empty');

export const usernameSchema = z
  .string()
  .regex(
    USERNAME_PATTERN,
    'must be 1-39 characters: letters, digits and single hyphens between them (not at the start or end)',
  )
  .refine((value) => !isReservedUsername(value), 'is reserved');

export const emailSchema = textSchema(254).regex(/^[^@\s]+@[^@\s]+$/, 'must be an e-mail address (local@domain)');

/** An Ethereum address in any case; stored lowercase, as the schema demands. */
export const walletAddressSchema = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, 'must be 0x followed by 40 hexadecimal digits')
  .transform((value) => value.toLowerCase());

export const avatarUrlSchema = textSchema(2048).regex(/^(https?:\/\/|\/)/, 'must be an http(s) URL or a site path');

/** Validates a row id argument, naming it (`userId`, `tokenId`) in the error. */
export function parseId(value: unknown, field: string): number {
  return parseInput(z.object({ [field]: idSchema }), { [field]: value })[field];
}
