/**
 * Opening an Iron "Fe26.2" seal in one synchronous call: `@hapi/iron`'s `unseal` step for step
 * (MAC first, then AES, then a JSON parse that refuses `__proto__` keys), with its parameters
 * (`Iron.defaults`), but with `pbkdf2Sync` for the two key derivations. Iron's `pbkdf2` sends each
 * one-iteration derivation to libuv's thread pool and back, and with its promises, option clones
 * and Boom errors that made a cold unseal cost about five times what its crypto does.
 */
import nodeCrypto from 'node:crypto';
import * as Iron from '@hapi/iron';

const { encryption, integrity } = Iron.defaults;
const encryptionKeyBytes = Iron.algorithms[encryption.algorithm].keyBits / 8;
const integrityKeyBytes = Iron.algorithms[integrity.algorithm].keyBits / 8;
/** Iron derives both keys with PBKDF2-HMAC-SHA1. */
const derivationDigest = 'sha1';

/** `"__proto__":`, also escaped: what @hapi/bourne looks for before scanning a parsed value. */
const suspectProto =
  /"(?:_|\\u005[Ff])(?:_|\\u005[Ff])(?:p|\\u0070)(?:r|\\u0072)(?:o|\\u006[Ff])(?:t|\\u0074)(?:o|\\u006[Ff])(?:_|\\u005[Ff])(?:_|\\u005[Ff])"\s*:/;

/** Whether any object inside `value` has an own `__proto__` key (which Iron refuses). */
function hasProtoKey(value: unknown): boolean {
  let next: unknown[] = [value];
  while (next.length > 0) {
    const nodes = next;
    next = [];
    for (const node of nodes) {
      if (Object.hasOwn(node as object, '__proto__')) return true;
      for (const child of Object.values(node as object)) {
        if (typeof child === 'object' && child !== null) next.push(child);
      }
    }
  }
  return false;
}

function deriveKey(password: string, salt: string, iterations: number, bytes: number): Buffer {
  // Called through the module object, so that tests can see whether any derivation ran.
  return nodeCrypto.pbkdf2Sync(password, salt, iterations, bytes, derivationDigest);
}

/**
 * The value sealed in `sealed` (an Iron seal without iron-session's `~2` suffix) with
 * `password`, or undefined when the seal does not open: wrong prefix, bad MAC, undecryptable,
 * not JSON, or JSON with a `__proto__` key. Expiry is the caller's to check, before calling:
 * it needs no crypto. Never throws.
 *
 * @example
 * const value = ironUnseal(seal.slice(0, -2), passwords[id]);
 */
export function ironUnseal(sealed: string, password: string): unknown {
  const parts = sealed.split('*');
  if (parts.length !== 8) return undefined;
  const [
    prefix,
    ,
    encryptionSalt = '',
    encryptionIv = '',
    encrypted = '',
    ,
    macSalt = '',
    mac = '',
  ] = parts;
  if (prefix !== Iron.macPrefix || encryptionSalt === '' || macSalt === '') return undefined;
  try {
    const macKey = deriveKey(password, macSalt, integrity.iterations, integrityKeyBytes);
    const macBase = parts.slice(0, 6).join('*');
    const expected = Buffer.from(
      nodeCrypto.createHmac(integrity.algorithm, macKey).update(macBase).digest('base64url'),
    );
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !nodeCrypto.timingSafeEqual(given, expected)) {
      return undefined;
    }
    const key = deriveKey(password, encryptionSalt, encryption.iterations, encryptionKeyBytes);
    const decipher = nodeCrypto.createDecipheriv(
      encryption.algorithm,
      key,
      Buffer.from(encryptionIv, 'base64'),
    );
    const ciphertext = Buffer.from(encrypted, 'base64');
    const text = Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && suspectProto.test(text)) {
      return hasProtoKey(value) ? undefined : value;
    }
    return value;
  } catch {
    // A wrong IV length, bad padding or bad JSON: all mean "does not open".
    return undefined;
  }
}
