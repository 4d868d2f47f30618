import type { RevocationStore } from './revocation-store.js';

/** How often, at most, a revoke walks every entry to forget the expired ones. */
const sweepIntervalMs = 60_000;

/**
 * A {@link RevocationStore} in this process's memory: right for one node, and the default
 * (one per password set, see {@link sharedRevocationStore}). Entries are forgotten when they
 * expire, so memory stays bounded by the logouts of one session TTL. Use a shared store
 * (Redis) when several nodes serve the same sessions.
 *
 * @example
 * const revocationStore = new InMemoryRevocationStore();
 * const app = sessionMiddlewareStack(inner, { password, revocationStore });
 */
export class InMemoryRevocationStore implements RevocationStore {
  /** Session id to the time, in ms since the epoch, its revocation may be forgotten. */
  readonly #expiries = new Map<string, number>();
  #lastSweep = Date.now();

  /** Revoked ids still remembered (expired ones may linger until the next sweep). */
  get size(): number {
    return this.#expiries.size;
  }

  revoke(sessionId: string, ttlSeconds: number): void {
    const now = Date.now();
    const expiresAt = now + ttlSeconds * 1000;
    this.#expiries.set(sessionId, Math.max(expiresAt, this.#expiries.get(sessionId) ?? 0));
    if (now - this.#lastSweep >= sweepIntervalMs) this.#sweep(now);
  }

  revokeIfNew(id: string, ttlSeconds: number): boolean {
    if (this.#revoked(id)) return false;
    this.revoke(id, ttlSeconds);
    return true;
  }

  isRevoked(sessionId: string): boolean {
    return this.#revoked(sessionId);
  }

  #revoked(sessionId: string): boolean {
    const expiresAt = this.#expiries.get(sessionId);
    if (expiresAt === undefined) return false;
    if (expiresAt > Date.now()) return true;
    this.#expiries.delete(sessionId);
    return false;
  }

  #sweep(now: number): void {
    this.#lastSweep = now;
    for (const [sessionId, expiresAt] of this.#expiries) {
      if (expiresAt <= now) this.#expiries.delete(sessionId);
    }
  }
}

const sharedStores = new Map<string, InMemoryRevocationStore>();

/**
 * The in-memory store of every session middleware in this process sealing with the same
 * passwords, i.e. serving the same sessions. Shared so that the usual
 * `protocolTypeRouter({ http: authMiddlewareStack(...), websocket: authMiddlewareStack(...) })`
 * refuses at the WebSocket handshake a cookie that was logged out over HTTP.
 */
export function sharedRevocationStore(passwordSetId: string): InMemoryRevocationStore {
  let store = sharedStores.get(passwordSetId);
  if (store === undefined) {
    store = new InMemoryRevocationStore();
    sharedStores.set(passwordSetId, store);
  }
  return store;
}
