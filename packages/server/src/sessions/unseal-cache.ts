/**
 * Opened sessions by seal, so a reconnect storm (every tab of every user reconnecting at once)
 * costs a Map lookup per handshake instead of an unseal (~0.5 ms of WebCrypto round trips).
 * A seal is immutable and authenticated, so the seal string itself is a safe key.
 */
import type { SessionRecord } from './seal-session.js';

interface Entry {
  readonly id: string;
  readonly expiresAt: number;
  /** JSON, so every hit parses a fresh copy that the application may change freely. */
  readonly json: string;
}

/**
 * A bounded LRU of opened sessions that never serves an expired one. Revocation is the
 * caller's to check on every hit: the cache does not know the revocation store.
 *
 * @example
 * const cache = new UnsealCache(10_000);
 * const record = cache.get(seal) ?? (await unsealSession(codec, seal));
 */
export class UnsealCache {
  readonly #capacity: number;
  /** Map iteration order is insertion order: the first key is the least recently used. */
  readonly #entries = new Map<string, Entry>();

  /** @param capacity entries kept; 0 disables the cache. */
  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** A fresh copy of the session sealed as `seal`, unless absent or expired. */
  get(seal: string): SessionRecord | undefined {
    const entry = this.#entries.get(seal);
    if (entry === undefined) return undefined;
    this.#entries.delete(seal);
    if (entry.expiresAt <= Date.now()) return undefined;
    this.#entries.set(seal, entry);
    return {
      id: entry.id,
      expiresAt: entry.expiresAt,
      data: JSON.parse(entry.json) as Record<string, unknown>,
    };
  }

  set(seal: string, record: SessionRecord): void {
    if (this.#capacity === 0) return;
    this.#entries.delete(seal);
    this.#entries.set(seal, {
      id: record.id,
      expiresAt: record.expiresAt,
      json: JSON.stringify(record.data),
    });
    if (this.#entries.size > this.#capacity) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
  }
}
