import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const BASE62_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** 32 random bytes (256 bits) need 43 base62 digits: 62^43 > 2^256. */
export const SECRET_LENGTH = 43;

/**
 * A fresh secret of 256 random bits as 43 base62 characters: letters and digits only, so it
 * survives URLs, cookies, double-click selection and the EIP-4361 nonce grammar unchanged.
 */
export function generateSecret(): string {
  let value = BigInt(`0x${randomBytes(32).toString('hex')}`);
  let digits = '';
  while (value > 0n) {
    digits = BASE62_ALPHABET[Number(value % 62n)] + digits;
    value /= 62n;
  }
  return digits.padStart(SECRET_LENGTH, '0');
}

export const SECRET_PATTERN = new RegExp(`^[0-9A-Za-z]{${SECRET_LENGTH}}$`);

/** What the database stores instead of a secret: its SHA-256 as lowercase hex (the schema's CHECK). */
export function sha256Hex(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Compares two SHA-256 hex digests in constant time. */
export function digestsEqual(expectedHex: string, actualHex: string): boolean {
  const expected = Buffer.from(expectedHex, 'hex');
  const actual = Buffer.from(actualHex, 'hex');
  return expected.length === 32 && actual.length === 32 && timingSafeEqual(expected, actual);
}
