/**
 * The one place wsgate seals and opens data, in the Iron "Fe26.2" format (AES-256-CBC then
 * HMAC-SHA256, keys derived per seal). iron-session's `sealData` writes the seals; `@hapi/iron`
 * (Iron's reference implementation) opens them, because opening is the handshake's hot path and
 * its node:crypto code costs a third of iron-session's WebCrypto round trips (0.20 ms against
 * 0.71 ms of CPU per cold unseal, measured here). Everything else goes through a
 * {@link SessionCodec}, so swapping a library is a change to this file only.
 */
import { createHash } from 'node:crypto';
import * as Iron from '@hapi/iron';
import { sealData } from 'iron-session';
import { ServerErrorCode, WsgateError } from '../errors.js';

/**
 * A password of at least 32 characters, or `{ id: password }` to rotate: the highest numeric id
 * seals, every id opens. A single string counts as id 1.
 *
 * @example
 * const password: SessionPassword = { 1: previousPassword, 2: currentPassword };
 */
export type SessionPassword = string | Readonly<Record<string, string>>;

/** Seals JSON values with a set of passwords and opens them again. */
export interface SessionCodec {
  /**
   * Names the password set (a hash, never the passwords): codecs with equal passwords open
   * the same seals, so they may share state such as revocations.
   */
  readonly passwordSetId: string;
  /** Seals `value` (JSON) so that it opens for `ttlSeconds`. */
  seal(value: object, ttlSeconds: number): Promise<string>;
  /**
   * What `seal` was given, or null for anything else: tampered, expired, sealed with a password
   * not in the set, malformed, or longer than {@link maxSealLength}. Never throws.
   */
  unseal(seal: string): Promise<unknown>;
}

/** Browsers keep at most 4096 bytes per cookie, so no longer seal can be one of ours. */
export const maxSealLength = 4096;

/** Iron's minimum, which iron-session enforces. */
const minPasswordLength = 32;

/**
 * `Fe26.2*id*salt*iv*ciphertext*expiration*hmac-salt*hmac~2`, iron-session's v2 seal. Checking
 * the shape first lets garbage and expired seals fail without any crypto.
 */
const sealShape = /^Fe26\.2\*(\w*)\*[\w-]+\*[\w-]+\*[\w-]+\*(\d+)\*[\w-]+\*[\w-]+~2$/;

function invalidPassword(problem: string): WsgateError {
  return new WsgateError(
    ServerErrorCode.invalidOption,
    `session password ${problem}. Generate one with \`openssl rand -base64 32\` and keep it out of the source.`,
  );
}

/** iron-session's password map, validated: it picks the highest *numeric* id to seal with. */
function passwordMap(password: unknown): Readonly<Record<string, string>> {
  // iron-session itself treats a single password as id 1, so seals survive a move to a map.
  const map = typeof password === 'string' ? { 1: password } : password;
  if (typeof map !== 'object' || map === null || Object.keys(map).length === 0) {
    throw invalidPassword('is missing: pass a string, or a { 1: "...", 2: "..." } map to rotate');
  }
  for (const [id, secret] of Object.entries(map)) {
    if (!/^(0|[1-9]\d{0,8})$/.test(id)) {
      throw invalidPassword(
        `id ${JSON.stringify(id)} is not a whole number: ids are numbers and the highest one seals`,
      );
    }
    if (typeof secret !== 'string' || secret.length < minPasswordLength) {
      const got = typeof secret === 'string' ? `${secret.length} characters` : typeof secret;
      throw invalidPassword(
        `${typeof password === 'string' ? '' : `${id} `}must be at least ${minPasswordLength} characters (got ${got})`,
      );
    }
  }
  return map as Readonly<Record<string, string>>;
}

/**
 * A codec for `password`, validated now (WsgateError `INVALID_OPTION` names the problem).
 *
 * @example
 * const codec = createSessionCodec({ 1: oldPassword, 2: newPassword });
 * const seal = await codec.seal({ purpose: 'ticket' }, 60); // sealed with id 2
 * await codec.unseal(seal); // { purpose: 'ticket' }
 */
export function createSessionCodec(password: SessionPassword): SessionCodec {
  const passwords = passwordMap(password);
  const entries = Object.entries(passwords).sort(([a], [b]) => Number(a) - Number(b));
  return {
    passwordSetId: createHash('sha256').update(JSON.stringify(entries)).digest('base64url'),

    async seal(value, ttlSeconds) {
      try {
        return await sealData(value, { password: passwords, ttl: ttlSeconds });
      } catch (error) {
        throw new WsgateError(
          ServerErrorCode.session,
          `could not seal the session: ${(error as Error).message}. Session values must be JSON (no BigInt, no cycles).`,
          { cause: error },
        );
      }
    },

    async unseal(seal) {
      if (seal.length > maxSealLength) return null;
      const shape = sealShape.exec(seal);
      if (shape === null) return null;
      const [, id = '', expiration = '0'] = shape;
      if (!Object.hasOwn(passwords, id) || Number(expiration) <= Date.now()) return null;
      try {
        // iron-session appends its format version (`~2`) to Iron's seal; Iron reads the rest.
        const value: unknown = await Iron.unseal(seal.slice(0, -2), passwords, Iron.defaults);
        const opened = typeof value === 'object' && value !== null && Object.keys(value).length > 0;
        return opened ? value : null;
      } catch {
        // Tampered, foreign key, bad base64, bad MAC: all mean "no session", never an error.
        return null;
      }
    },
  };
}
