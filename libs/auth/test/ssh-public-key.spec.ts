import { ValidationError } from '@plue/db';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseSshPublicKey } from '../src';

let directory: string;
let generatedKeys = 0;

/** Generates a key pair with the real ssh-keygen; returns the .pub line and ssh-keygen's own reading of it. */
function generateKey(type: string, bits?: number) {
  generatedKeys += 1;
  const file = path.join(directory, `key-${generatedKeys}`);
  execFileSync('ssh-keygen', [
    '-q',
    '-t',
    type,
    ...(bits ? ['-b', String(bits)] : []),
    '-N',
    '',
    '-C',
    'dev@laptop',
    '-f',
    file,
  ]);
  const line = readFileSync(`${file}.pub`, 'utf8');
  const [printedBits, fingerprint] = execFileSync('ssh-keygen', ['-lf', `${file}.pub`])
    .toString()
    .trim()
    .split(' ');
  return { line, fingerprint, bits: Number(printedBits) };
}

/** An RFC 4251 `string`. */
const field = (value: Buffer | string) => {
  const bytes = Buffer.isBuffer(value) ? value : Buffer.from(value, 'latin1');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
};
const blobOf = (line: string) => Buffer.from(line.split(' ')[1], 'base64');
const lineOf = (type: string, blob: Buffer) => `${type} ${blob.toString('base64')}`;
const problemWith = (line: string) => {
  try {
    parseSshPublicKey(line);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0].field).toBe('publicKey');
    return (error as ValidationError).issues[0].message;
  }
  throw new Error(`expected ${line.slice(0, 40)}… to be refused`);
};

beforeAll(() => {
  directory = mkdtempSync(path.join(tmpdir(), 'plue-ssh-'));
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('parseSshPublicKey with keys from ssh-keygen', () => {
  it.each([
    ['ed25519', 'ssh-ed25519'],
    ['ecdsa 256', 'ecdsa-sha2-nistp256'],
    ['ecdsa 384', 'ecdsa-sha2-nistp384'],
    ['ecdsa 521', 'ecdsa-sha2-nistp521'],
    ['rsa 2048', 'ssh-rsa'],
    ['rsa 3072', 'ssh-rsa'],
  ])('reads an %s key with the fingerprint and size ssh-keygen -lf prints', (label, keyType) => {
    const [type, bits] = label.split(' ');
    const generated = generateKey(type, bits ? Number(bits) : undefined);
    const key = parseSshPublicKey(generated.line);
    expect(key.keyType).toBe(keyType);
    expect(key.fingerprint).toBe(generated.fingerprint);
    expect(key.bits).toBe(generated.bits);
    expect(key.comment).toBe('dev@laptop');
    expect(key.normalized).toBe(generated.line.trim());
  });

  it('takes the comment as optional and normalises whitespace around the fields', () => {
    const { line, fingerprint } = generateKey('ed25519');
    const [type, data] = line.trim().split(' ');
    const bare = parseSshPublicKey(`  ${type}\t${data}  \n`);
    expect(bare).toMatchObject({ comment: null, fingerprint, normalized: `${type} ${data}` });
    expect(parseSshPublicKey(`${type} ${data} my work laptop`).comment).toBe('my work laptop');
  });
});

describe('parseSshPublicKey refuses malformed keys, saying what is wrong', () => {
  let ed25519: string;
  let ecdsa256: string;
  beforeAll(() => {
    ed25519 = generateKey('ed25519').line.trim();
    ecdsa256 = generateKey('ecdsa', 256).line.trim();
  });

  it('a 1024-bit rsa key', () => {
    expect(problemWith(generateKey('rsa', 1024).line)).toBe('rsa modulus is 1024 bits; at least 2048 are required');
  });

  it('bad base64', () => {
    expect(problemWith('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5!!!!')).toBe('key data is not valid base64');
    expect(problemWith('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI')).toBe('key data is not valid base64');
  });

  it('a truncated blob', () => {
    const blob = blobOf(ed25519);
    expect(problemWith(lineOf('ssh-ed25519', blob.subarray(0, blob.length - 5)))).toBe(
      'key data is truncated: ed25519 public key declares 32 bytes but only 27 remain',
    );
    expect(problemWith(lineOf('ssh-ed25519', blob.subarray(0, 2)))).toBe('key data is truncated: key type is missing');
  });

  it('a type inside the blob that differs from the declared one', () => {
    expect(problemWith(`ssh-rsa ${ed25519.split(' ')[1]}`)).toBe(
      'key data holds a "ssh-ed25519" key but the line declares "ssh-rsa"',
    );
    expect(problemWith(`ecdsa-sha2-nistp384 ${ecdsa256.split(' ')[1]}`)).toMatch(/declares "ecdsa-sha2-nistp384"/);
  });

  it('an ed25519 key that is not 32 bytes', () => {
    expect(problemWith(lineOf('ssh-ed25519', Buffer.concat([field('ssh-ed25519'), field(Buffer.alloc(31, 7))])))).toBe(
      'ed25519 public key must be 32 bytes, not 31',
    );
  });

  it('bytes after the key', () => {
    expect(problemWith(lineOf('ssh-ed25519', Buffer.concat([blobOf(ed25519), Buffer.from([0, 0, 0, 0])])))).toBe(
      'key data has 4 unexpected bytes after the key',
    );
  });

  it('an ecdsa key whose curve name does not match its type', () => {
    const point = blobOf(ecdsa256).subarray(4 + 19 + 4 + 8);
    const blob = Buffer.concat([field('ecdsa-sha2-nistp256'), field('nistp384'), point]);
    expect(problemWith(lineOf('ecdsa-sha2-nistp256', blob))).toBe(
      'ecdsa curve "nistp384" does not match key type ecdsa-sha2-nistp256',
    );
  });

  it('an ecdsa point that is compressed, of the wrong length or not on the curve', () => {
    const point = Buffer.from(blobOf(ecdsa256).subarray(4 + 19 + 4 + 8 + 4));
    const withPoint = (value: Buffer) =>
      lineOf('ecdsa-sha2-nistp256', Buffer.concat([field('ecdsa-sha2-nistp256'), field('nistp256'), field(value)]));
    expect(withPoint(point)).toBe(ecdsa256.split(' ').slice(0, 2).join(' '));

    const compressed = Buffer.concat([Buffer.from([0x02]), point.subarray(1, 33)]);
    expect(problemWith(withPoint(compressed))).toMatch(/must be uncompressed \(0x04, X, Y\) and 65 bytes/);
    expect(problemWith(withPoint(point.subarray(0, 64)))).toMatch(/65 bytes for nistp256/);
    const offCurve = Buffer.from(point);
    offCurve[64] ^= 1;
    expect(problemWith(withPoint(offCurve))).toBe('ecdsa public point is not on curve nistp256');
  });

  it('an rsa key with a negative modulus or an even exponent', () => {
    const modulus = Buffer.alloc(256, 0xff);
    const rsa = (exponent: Buffer, n: Buffer) =>
      lineOf('ssh-rsa', Buffer.concat([field('ssh-rsa'), field(exponent), field(n)]));
    expect(problemWith(rsa(Buffer.from([1, 0, 1]), modulus))).toBe('rsa modulus is negative');
    const positive = Buffer.concat([Buffer.from([0]), modulus]);
    expect(problemWith(rsa(Buffer.from([1, 0, 0]), positive))).toBe('rsa exponent must be an odd number of at least 3');
    expect(parseSshPublicKey(rsa(Buffer.from([1, 0, 1]), positive)).bits).toBe(2048);
  });

  it('unsupported types, missing key data and several lines', () => {
    expect(problemWith('ssh-dss AAAAB3NzaC1kc3MAAACBAP')).toMatch(
      /key type "ssh-dss" is not supported \(supported: ssh-ed25519/,
    );
    expect(problemWith('ssh-ed25519')).toMatch(/must be "<key type> <base64 key data> \[comment\]"/);
    expect(problemWith(`${ed25519}\n${ed25519}`)).toBe('must be a single line (one key)');
    expect(problemWith(`${ed25519} bad\u0007comment`)).toBe('comment must not contain control characters');
  });
});
