import type { RevocationStore } from '@wsgate/server';
import type { DemoDatabase } from './database.js';

/** How often, at most, a revoke also deletes the entries that expired. */
const pruneEveryMs = 60_000;

/**
 * wsgate's revocation store in the demo's SQLite file, so that a logged-out cookie stays dead
 * across restarts (the default in-memory store forgets on exit). One node only: several nodes
 * need a store they share, such as Redis.
 *
 * @example
 * const session = { password, revocationStore: new SqliteRevocationStore(db) };
 */
export class SqliteRevocationStore implements RevocationStore {
  readonly #db: DemoDatabase;
  #prunedAt = 0;

  constructor(db: DemoDatabase) {
    this.#db = db;
  }

  revoke(sessionId: string, ttlSeconds: number): void {
    const now = Date.now();
    this.#db
      .prepare(
        'INSERT INTO revoked_sessions (id, expires_at) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET expires_at = max(expires_at, excluded.expires_at)',
      )
      .run(sessionId, now + ttlSeconds * 1000);
    if (now - this.#prunedAt < pruneEveryMs) return;
    this.#prunedAt = now;
    this.#db.prepare('DELETE FROM revoked_sessions WHERE expires_at <= ?').run(now);
  }

  /** One upsert that only replaces an expired entry: of two claims of one ticket, one wins. */
  revokeIfNew(id: string, ttlSeconds: number): boolean {
    const now = Date.now();
    const { changes } = this.#db
      .prepare(
        'INSERT INTO revoked_sessions (id, expires_at) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at WHERE expires_at <= ?',
      )
      .run(id, now + ttlSeconds * 1000, now);
    return changes === 1;
  }

  isRevoked(sessionId: string): boolean {
    const row = this.#db
      .prepare<[string, number], { found: 1 }>(
        'SELECT 1 AS found FROM revoked_sessions WHERE id = ? AND expires_at > ?',
      )
      .get(sessionId, Date.now());
    return row !== undefined;
  }
}
