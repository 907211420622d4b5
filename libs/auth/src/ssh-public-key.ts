import { ValidationError } from '@plue/db';
import { createHash, createPublicKey } from 'node:crypto';

/** Key types Plue accepts: the list in the ssh_keys_key_type_check constraint. */
export const SSH_KEY_TYPES = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'ssh-rsa',
] as const;
export type SshKeyType = (typeof SSH_KEY_TYPES)[number];

export const MIN_RSA_MODULUS_BITS = 2048;
/** OpenSSH's own ceiling (SSH_RSA_MAXIMUM_MODULUS_SIZE). */
export const MAX_RSA_MODULUS_BITS = 16384;
/** The ssh_keys_public_key_check constraint. */
export const MAX_PUBLIC_KEY_LENGTH = 16384;

const ECDSA_CURVES = {
  'ecdsa-sha2-nistp256': { curve: 'nistp256', jwkCurve: 'P-256', coordinateBytes: 32, bits: 256 },
  'ecdsa-sha2-nistp384': { curve: 'nistp384', jwkCurve: 'P-384', coordinateBytes: 48, bits: 384 },
  'ecdsa-sha2-nistp521': { curve: 'nistp521', jwkCurve: 'P-521', coordinateBytes: 66, bits: 521 },
} as const;

export interface SshPublicKey {
  keyType: SshKeyType;
  /** The decoded key blob (RFC 4253 wire format), what the fingerprint is computed over. */
  blob: Buffer;
  comment: string | null;
  /** Key size as `ssh-keygen -l` prints it. */
  bits: number;
  /** `SHA256:` + unpadded base64 of SHA-256(blob), identical to `ssh-keygen -lf`. */
  fingerprint: string;
  /** `<type> <base64>[ <comment>]` with single spaces: the form stored in ssh_keys.public_key. */
  normalized: string;
}

/**
 * Parses one OpenSSH public key line (`<type> <base64> [comment]`, as in `id_ed25519.pub`) and
 * checks the key data itself: the type inside it equals the declared one, every length is
 * consistent, and the key material is well formed (ed25519: 32 bytes; ecdsa: the named curve and an
 * uncompressed point on it; rsa: a positive exponent and a modulus of at least 2048 bits).
 * Anything else is refused with a ValidationError on `publicKey` saying what is wrong.
 */
export function parseSshPublicKey(line: string): SshPublicKey {
  const trimmed = line.trim();
  if (/[\r\n]/.test(trimmed)) refuse('must be a single line (one key)');
  const match = /^(\S+)[ \t]+(\S+)(?:[ \t]+(.*))?$/.exec(trimmed);
  if (!match) refuse('must be "<key type> <base64 key data> [comment]", as in an OpenSSH .pub file');
  const [, declaredType, base64, rawComment] = match;
  if (!isSshKeyType(declaredType)) {
    refuse(`key type "${declaredType.slice(0, 64)}" is not supported (supported: ${SSH_KEY_TYPES.join(', ')})`);
  }
  const blob = decodeBase64(base64);
  const { bits } = checkKeyData(declaredType, blob);
  const comment = rawComment?.trim() || null;
  if (comment !== null && /\p{Cc}/u.test(comment)) refuse('comment must not contain control characters');
  const normalized = comment === null ? `${declaredType} ${base64}` : `${declaredType} ${base64} ${comment}`;
  if (normalized.length > MAX_PUBLIC_KEY_LENGTH) refuse(`must be at most ${MAX_PUBLIC_KEY_LENGTH} characters`);
  return { keyType: declaredType, blob, comment, bits, fingerprint: sshFingerprint(blob), normalized };
}

export function sshFingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

export function isSshKeyType(value: string): value is SshKeyType {
  return (SSH_KEY_TYPES as readonly string[]).includes(value);
}

function decodeBase64(text: string): Buffer {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 !== 0) refuse('key data is not valid base64');
  const blob = Buffer.from(text, 'base64');
  // Buffer decoding is lenient (stray bits in the last character); only the canonical form passes.
  if (blob.toString('base64') !== text) refuse('key data is not valid base64');
  return blob;
}

function checkKeyData(declaredType: SshKeyType, blob: Buffer): { bits: number } {
  const reader = new WireReader(blob);
  const innerType = reader.string('key type').toString('latin1');
  if (innerType !== declaredType) {
    refuse(`key data holds a "${innerType.slice(0, 64)}" key but the line declares "${declaredType}"`);
  }
  const bits = checkKeyMaterial(declaredType, reader);
  if (reader.remaining > 0) refuse(`key data has ${reader.remaining} unexpected bytes after the key`);
  return { bits };
}

function checkKeyMaterial(keyType: SshKeyType, reader: WireReader): number {
  if (keyType === 'ssh-ed25519') {
    const key = reader.string('ed25519 public key');
    if (key.length !== 32) refuse(`ed25519 public key must be 32 bytes, not ${key.length}`);
    return 256;
  }
  if (keyType === 'ssh-rsa') {
    const exponent = reader.mpint('rsa exponent');
    const modulus = reader.mpint('rsa modulus');
    if (exponent.length === 0 || (exponent[exponent.length - 1] & 1) === 0 || bitLength(exponent) < 2) {
      refuse('rsa exponent must be an odd number of at least 3');
    }
    const bits = bitLength(modulus);
    if (bits < MIN_RSA_MODULUS_BITS)
      refuse(`rsa modulus is ${bits} bits; at least ${MIN_RSA_MODULUS_BITS} are required`);
    if (bits > MAX_RSA_MODULUS_BITS) refuse(`rsa modulus is ${bits} bits; at most ${MAX_RSA_MODULUS_BITS} are allowed`);
    return bits;
  }
  const spec = ECDSA_CURVES[keyType];
  const curve = reader.string('ecdsa curve name').toString('latin1');
  if (curve !== spec.curve) refuse(`ecdsa curve "${curve.slice(0, 64)}" does not match key type ${keyType}`);
  const point = reader.string('ecdsa public point');
  const expectedLength = 1 + 2 * spec.coordinateBytes;
  if (point.length !== expectedLength || point[0] !== 0x04) {
    refuse(`ecdsa public point must be uncompressed (0x04, X, Y) and ${expectedLength} bytes for ${spec.curve}`);
  }
  const x = point.subarray(1, 1 + spec.coordinateBytes);
  const y = point.subarray(1 + spec.coordinateBytes);
  try {
    // OpenSSL refuses coordinates that are not a point of the curve.
    createPublicKey({
      key: { kty: 'EC', crv: spec.jwkCurve, x: x.toString('base64url'), y: y.toString('base64url') },
      format: 'jwk',
    });
  } catch {
    refuse(`ecdsa public point is not on curve ${spec.curve}`);
  }
  return spec.bits;
}

/** Reads RFC 4251 `string` and `mpint` fields, refusing lengths that run past the data. */
class WireReader {
  private offset = 0;

  constructor(private readonly data: Buffer) {}

  get remaining(): number {
    return this.data.length - this.offset;
  }

  string(field: string): Buffer {
    if (this.remaining < 4) refuse(`key data is truncated: ${field} is missing`);
    const length = this.data.readUInt32BE(this.offset);
    this.offset += 4;
    if (length > this.remaining) {
      refuse(`key data is truncated: ${field} declares ${length} bytes but only ${this.remaining} remain`);
    }
    const value = this.data.subarray(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }

  /** A non-negative mpint, without leading zero bytes. */
  mpint(field: string): Buffer {
    const value = this.string(field);
    if (value.length > 0 && (value[0] & 0x80) !== 0) refuse(`${field} is negative`);
    let start = 0;
    while (start < value.length && value[start] === 0) start += 1;
    return value.subarray(start);
  }
}

function bitLength(magnitude: Buffer): number {
  if (magnitude.length === 0) return 0;
  return (magnitude.length - 1) * 8 + (32 - Math.clz32(magnitude[0]));
}

function refuse(message: string): never {
  throw new ValidationError([{ field: 'publicKey', message }]);
}
