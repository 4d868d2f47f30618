/**
 * Opened sessions by seal, so a reconnect storm (every tab of every user reconnecting at once)
 * costs a Map lookup per handshake instead of an unseal.
 * A seal is immutable and authenticated, so the seal string itself is a safe key.
 */
import type { SessionRecord } from './seal-session.js';

/** One cached session, and its place in the recency list. */
interface Entry {
  readonly seal: string;
  readonly id: string;
  readonly expiresAt: number;
  /** JSON, so every hit parses a fresh copy that the application may change freely. */
  readonly json: string;
  /** Toward the most recently used end; null at it. */
  newer: Entry | null;
  /** Toward the least recently used end; null at it. */
  older: Entry | null;
}

/**
 * A bounded LRU of opened sessions that never serves an expired one. Revocation is the
 * caller's to check on every hit: the cache does not know the revocation store.
 *
 * Recency is a linked list through the entries, not a Map's insertion order. Finding a Map's
 * first key walks past every entry deleted since the Map last compacted itself, and an LRU
 * deletes at exactly that end: at 10,000 entries, each eviction cost about 20 µs, on every
 * handshake with a new cookie once the cache was full.
 *
 * @example
 * const cache = new UnsealCache(10_000);
 * const record = cache.get(seal) ?? (await unsealSession(codec, seal));
 */
export class UnsealCache {
  readonly #capacity: number;
  readonly #entries = new Map<string, Entry>();
  #newest: Entry | null = null;
  #oldest: Entry | null = null;

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
    if (entry.expiresAt <= Date.now()) {
      this.#remove(entry);
      return undefined;
    }
    this.#unlink(entry);
    this.#pushNewest(entry);
    return {
      id: entry.id,
      expiresAt: entry.expiresAt,
      data: JSON.parse(entry.json) as Record<string, unknown>,
    };
  }

  set(seal: string, record: SessionRecord): void {
    if (this.#capacity === 0) return;
    const previous = this.#entries.get(seal);
    if (previous !== undefined) this.#remove(previous);
    const entry: Entry = {
      seal,
      id: record.id,
      expiresAt: record.expiresAt,
      json: JSON.stringify(record.data),
      newer: null,
      older: null,
    };
    this.#entries.set(seal, entry);
    this.#pushNewest(entry);
    if (this.#entries.size > this.#capacity && this.#oldest !== null) this.#remove(this.#oldest);
  }

  #remove(entry: Entry): void {
    this.#entries.delete(entry.seal);
    this.#unlink(entry);
  }

  #pushNewest(entry: Entry): void {
    entry.older = this.#newest;
    entry.newer = null;
    if (this.#newest === null) this.#oldest = entry;
    else this.#newest.newer = entry;
    this.#newest = entry;
  }

  #unlink(entry: Entry): void {
    if (entry.newer === null) this.#newest = entry.older;
    else entry.newer.older = entry.older;
    if (entry.older === null) this.#oldest = entry.newer;
    else entry.older.newer = entry.newer;
    entry.newer = null;
    entry.older = null;
  }
}
