import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { ScryptOptions } from 'node:crypto';

/** scrypt's cost: N = 2^15 (about 32 MiB and tens of ms per hash), as OWASP suggests. */
const cost: ScryptOptions = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const keyLength = 32;

function derive(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, keyLength, cost, (error, key) => {
      if (error) reject(error);
      else resolve(key);
    });
  });
}

/**
 * A password as stored: `scrypt$<salt>$<key>` (base64url), with a random 16-byte salt, so two
 * users with the same password store different hashes.
 *
 * @example
 * const stored = await hashPassword('correct horse');
 */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt);
  return `scrypt$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/**
 * Whether `password` matches `stored`, compared in constant time. A malformed `stored` is
 * false, after the same work as a real check.
 *
 * @example
 * if (await verifyPassword(input, row.password_hash)) logIn(row);
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, salt, key] = stored.split('$');
  const expected = Buffer.from(key ?? '', 'base64url');
  const actual = await derive(password, Buffer.from(salt ?? '', 'base64url'));
  return scheme === 'scrypt' && expected.length === keyLength && timingSafeEqual(actual, expected);
}

let dummy: Promise<string> | undefined;

/**
 * A hash of no one's password, to check against when the username is unknown: the answer and
 * its cost are then the same as for a wrong password, so timing does not reveal who has an
 * account.
 */
export function dummyPasswordHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(16).toString('base64url'));
  return dummy;
}
