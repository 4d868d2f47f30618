import { checkLimit } from './check-limit.js';
import type { FailureRecord, LoginThrottleStore } from './login-throttle-store.js';

/**
 * Options of {@link InMemoryLoginThrottleStore}.
 *
 * @example
 * new InMemoryLoginThrottleStore({ maxKeys: 50_000 });
 */
export interface InMemoryLoginThrottleStoreOptions {
  /**
   * Keys (accounts and addresses together) remembered at most; past it the key that failed
   * least recently is forgotten first. Bounds memory against an attacker spraying usernames.
   * @default 10_000
   */
  readonly maxKeys?: number;
}

interface Entry {
  failures: number;
  lockedUntil: number;
  /** When the entry may be forgotten, in ms since the epoch. */
  forgetAt: number;
}

/**
 * A {@link LoginThrottleStore} in this process's memory: the default, right for one node.
 * Expired entries are dropped as they are met, and the count of entries is capped (a least
 * recently failed first eviction), so memory is bounded whatever an attacker sends. Every
 * operation is synchronous, hence atomic.
 *
 * @example
 * const throttle = new LoginThrottle({ store: new InMemoryLoginThrottleStore({ maxKeys: 50_000 }) });
 */
export class InMemoryLoginThrottleStore implements LoginThrottleStore {
  readonly #maxKeys: number;
  /** Map order is write order: the first entry is the one that failed least recently. */
  readonly #entries = new Map<string, Entry>();

  constructor(options: InMemoryLoginThrottleStoreOptions = {}) {
    this.#maxKeys = checkLimit('InMemoryLoginThrottleStore', 'maxKeys', options.maxKeys ?? 10_000, {
      integer: true,
    });
  }

  /** Keys remembered now (expired ones may linger until met or evicted). */
  get size(): number {
    return this.#entries.size;
  }

  get(key: string): FailureRecord | null {
    const entry = this.#live(key, Date.now());
    return entry === undefined
      ? null
      : { failures: entry.failures, lockedUntil: entry.lockedUntil };
  }

  addFailure(key: string, ttlMs: number): FailureRecord {
    const now = Date.now();
    const entry = this.#live(key, now) ?? { failures: 0, lockedUntil: 0, forgetAt: 0 };
    entry.failures += 1;
    entry.forgetAt = Math.max(entry.forgetAt, now + ttlMs);
    this.#write(key, entry, now);
    return { failures: entry.failures, lockedUntil: entry.lockedUntil };
  }

  lock(key: string, until: number, ttlMs: number): void {
    const now = Date.now();
    const entry = this.#live(key, now) ?? { failures: 0, lockedUntil: 0, forgetAt: 0 };
    entry.lockedUntil = Math.max(entry.lockedUntil, until);
    entry.forgetAt = Math.max(entry.forgetAt, until + ttlMs);
    this.#write(key, entry, now);
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  #live(key: string, now: number): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined || entry.forgetAt > now) return entry;
    this.#entries.delete(key);
    return undefined;
  }

  #write(key: string, entry: Entry, now: number): void {
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    // Entries written long ago sit at the front, so expired ones are mostly found there.
    for (const [oldKey, old] of this.#entries) {
      if (old.forgetAt > now && this.#entries.size <= this.#maxKeys) break;
      this.#entries.delete(oldKey);
    }
  }
}
