/**
 * Open connections per key (a user id, a client address), with a limit. Only keys with open
 * connections are kept, so memory follows the connections, not everyone who ever connected.
 */
import { checkLimit } from './check-limit.js';

/**
 * Counts open connections per key. `add` returns the release for that one connection, which
 * counts down exactly once however often it is called, so a connection that ends along
 * several paths at once (a disconnect and an application that throws) cannot go negative.
 *
 * @example
 * const perUser = new ConnectionCounter(5);
 * if (perUser.isFull(userId)) return refuse();
 * const release = perUser.add(userId);
 * try { await inner(scope, receive, send); } finally { release(); }
 */
export class ConnectionCounter {
  readonly #limit: number;
  readonly #counts = new Map<string, number>();

  /** @param limit connections allowed per key; Infinity for no limit (still counted). */
  constructor(limit: number) {
    this.#limit = checkLimit('ConnectionCounter', 'limit', limit, {
      integer: true,
      allowInfinity: true,
    });
  }

  get limit(): number {
    return this.#limit;
  }

  /** Keys with at least one open connection. */
  get size(): number {
    return this.#counts.size;
  }

  /** Open connections under `key`. */
  count(key: string): number {
    return this.#counts.get(key) ?? 0;
  }

  /** True when one more connection under `key` would exceed the limit. */
  isFull(key: string): boolean {
    return this.count(key) >= this.#limit;
  }

  /** Counts one connection under `key` (whether or not that exceeds the limit). */
  add(key: string): () => void {
    this.#counts.set(key, this.count(key) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = this.count(key) - 1;
      if (left > 0) this.#counts.set(key, left);
      else this.#counts.delete(key);
    };
  }
}
