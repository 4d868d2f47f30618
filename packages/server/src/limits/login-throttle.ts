/**
 * Login brute-force throttling: failed logins counted per account and per client address,
 * across sockets and reconnects (the counts live here, not on a connection), with lockouts
 * that grow while the failures go on.
 */
import { createHash } from 'node:crypto';
import { addressKey } from './address-key.js';
import { checkLimit } from './check-limit.js';
import { InMemoryLoginThrottleStore } from './in-memory-login-throttle-store.js';
import type { LoginThrottleStore } from './login-throttle-store.js';

/**
 * Options of {@link LoginThrottle}.
 *
 * @example
 * new LoginThrottle({ maxFailuresPerAccount: 10, lockoutMs: 30_000 });
 */
export interface LoginThrottleOptions {
  /**
   * Failed logins for one account before it is locked. A lock also stops the account's owner,
   * which is the price of stopping a distributed guesser; keep it well above typos.
   * @default 5
   */
  readonly maxFailuresPerAccount?: number;
  /**
   * Failed logins from one client address (an IPv6 /64) before it is locked, whatever
   * accounts they named: this is what stops one client spraying usernames.
   * @default 20
   */
  readonly maxFailuresPerAddress?: number;
  /**
   * How long failures are remembered: a key's count is forgotten `windowMs` after its last
   * failure, or after its lockout ended if that is later.
   * @default 900_000 (15 minutes)
   */
  readonly windowMs?: number;
  /**
   * The first lockout, at the failure that reaches the limit; every further failure doubles
   * it, up to `maxLockoutMs`.
   * @default 60_000 (1 minute)
   */
  readonly lockoutMs?: number;
  /**
   * The longest lockout.
   * @default 900_000 (15 minutes)
   */
  readonly maxLockoutMs?: number;
  /**
   * Where the counts live; share one store (Redis) between nodes.
   * @default new InMemoryLoginThrottleStore()
   */
  readonly store?: LoginThrottleStore;
}

/** Whether a login may be attempted now, and if not, when. */
export type ThrottleDecision =
  { readonly allowed: true } | { readonly allowed: false; readonly retryAfterMs: number };

// Longer keys (a username is whatever the client sent) are hashed, so a store holds short keys.
const maxPlainKeyLength = 128;

function storeKey(kind: 'account' | 'address', key: string): string {
  const plain = `${kind}:${key}`;
  if (plain.length <= maxPlainKeyLength) return plain;
  return `${kind}#sha256:${createHash('sha256').update(key).digest('base64url')}`;
}

/**
 * Counts failed logins per account and per client address and says when to refuse: ask
 * `check` before running `authenticate`, then report the outcome with `recordFailure` or
 * `recordSuccess`. An unknown user and a wrong password must both be `recordFailure` with the
 * same account key, so the throttle cannot be used to find out which accounts exist. Use one
 * instance for the whole server (all sockets share it); a refusal is a 4429 with
 * `retryAfterMs`.
 *
 * `accountKey` is the name the client tried, normalised as your login normalises it (e.g.
 * trimmed and lower-cased), or null if the credentials name none. `address` is the client's
 * address (`scope.client?.[0] ?? null`); IPv6 addresses are counted per /64.
 *
 * Check inside the same {@link Semaphore} slot that runs `authenticate`, not before queueing
 * for it: attackers send attempts in parallel, and every attempt checked before the first
 * failure is recorded would pass. Inside the slot, at most `maxConcurrent - 1` guesses get past
 * a limit.
 *
 * @example
 * const throttle = new LoginThrottle();
 * const hashing = new Semaphore(2);
 * function tryLogin(username: string, password: string, address: string) {
 *   const account = username.trim().toLowerCase();
 *   return hashing.run(async () => {
 *     const decision = await throttle.check(account, address);
 *     if (!decision.allowed) return { refused: decision.retryAfterMs };
 *     const user = await authenticate(username, password); // null: unknown user or wrong password
 *     if (user === null) await throttle.recordFailure(account, address);
 *     else await throttle.recordSuccess(account, address);
 *     return { user };
 *   });
 * }
 */
export class LoginThrottle {
  readonly #maxFailuresPerAccount: number;
  readonly #maxFailuresPerAddress: number;
  readonly #windowMs: number;
  readonly #lockoutMs: number;
  readonly #maxLockoutMs: number;
  readonly #store: LoginThrottleStore;

  constructor(options: LoginThrottleOptions = {}) {
    const limit = (name: keyof LoginThrottleOptions, value: unknown, integer = false) =>
      checkLimit('LoginThrottle', name, value, { integer });
    this.#maxFailuresPerAccount = limit(
      'maxFailuresPerAccount',
      options.maxFailuresPerAccount ?? 5,
      true,
    );
    this.#maxFailuresPerAddress = limit(
      'maxFailuresPerAddress',
      options.maxFailuresPerAddress ?? 20,
      true,
    );
    this.#windowMs = limit('windowMs', options.windowMs ?? 15 * 60_000);
    this.#lockoutMs = limit('lockoutMs', options.lockoutMs ?? 60_000);
    this.#maxLockoutMs = limit('maxLockoutMs', options.maxLockoutMs ?? 15 * 60_000);
    this.#store = options.store ?? new InMemoryLoginThrottleStore();
  }

  /** Whether a login naming `accountKey` from `address` may be attempted now. */
  async check(accountKey: string | null, address: string | null): Promise<ThrottleDecision> {
    const records = await Promise.all(
      this.#keys(accountKey, address).map(async ({ key }) => this.#store.get(key)),
    );
    return this.#decide(Math.max(0, ...records.map((record) => record?.lockedUntil ?? 0)));
  }

  /**
   * Counts a failed login (unknown user or wrong password alike) against the account and the
   * address, locking either that reached its limit. Returns whether the next attempt may go.
   */
  async recordFailure(
    accountKey: string | null,
    address: string | null,
  ): Promise<ThrottleDecision> {
    const lockedUntil = await Promise.all(
      this.#keys(accountKey, address).map(async ({ key, max }) => {
        const record = await this.#store.addFailure(key, this.#windowMs);
        if (record.failures < max) return record.lockedUntil;
        const until = Date.now() + this.#lockout(record.failures - max);
        await this.#store.lock(key, until, this.#windowMs);
        return Math.max(until, record.lockedUntil);
      }),
    );
    return this.#decide(Math.max(0, ...lockedUntil));
  }

  /**
   * A successful login clears its account's failures. The address keeps its count: one
   * account an attacker owns must not reset the address's limit for guessing at others.
   */
  async recordSuccess(accountKey: string | null, _address?: string | null): Promise<void> {
    if (accountKey !== null) await this.#store.delete(storeKey('account', accountKey));
  }

  #keys(accountKey: string | null, address: string | null) {
    const keys: Array<{ key: string; max: number }> = [];
    if (accountKey !== null) {
      keys.push({ key: storeKey('account', accountKey), max: this.#maxFailuresPerAccount });
    }
    if (address !== null) {
      keys.push({
        key: storeKey('address', addressKey(address)),
        max: this.#maxFailuresPerAddress,
      });
    }
    return keys;
  }

  /** The failure that reaches the limit locks for `lockoutMs`; each one after doubles it. */
  #lockout(failuresPastLimit: number): number {
    return Math.min(this.#lockoutMs * 2 ** failuresPastLimit, this.#maxLockoutMs);
  }

  #decide(lockedUntil: number): ThrottleDecision {
    const retryAfterMs = lockedUntil - Date.now();
    return retryAfterMs > 0
      ? { allowed: false, retryAfterMs: Math.ceil(retryAfterMs) }
      : { allowed: true };
  }
}
