import { WsgateError } from '../errors.js';
import type { RevocationStore } from '../sessions/revocation-store.js';
import { luaScript } from './lua-script.js';
import type { RedisConnection, RedisHealth } from './redis-connection.js';
import { openStore } from './redis-options.js';
import type { RedisStoreOptions } from './redis-options.js';

/** KEYS: the revocation. ARGV: ms. Sets it unless it already lasts longer. */
const revokeScript = luaScript(`
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
end
return 1
`);

/**
 * A {@link RevocationStore} in Redis, shared by every node: a logout on one refuses the
 * session's cookie on all of them. Each revoked id is a key `<prefix>:revoked:<id>` that
 * Redis deletes when it expires, so Redis holds only the logouts of one session TTL. While
 * Redis is unreachable both calls reject with `STORE_UNAVAILABLE` after `commandTimeout`,
 * so a session cannot open unchecked (the session middleware fails closed).
 *
 * @example
 * const revocationStore = new RedisRevocationStore({ url: process.env.REDIS_URL });
 * const app = sessionMiddlewareStack(inner, { password, revocationStore, channelLayer });
 */
export class RedisRevocationStore implements RevocationStore {
  readonly #prefix: string;
  readonly #connection: RedisConnection;

  constructor(options: RedisStoreOptions = {}) {
    ({ prefix: this.#prefix, connection: this.#connection } = openStore(
      'RedisRevocationStore',
      options,
    ));
  }

  /** Keeps the later expiry when an id is revoked twice, as the in-memory store does. */
  async revoke(sessionId: string, ttlSeconds: number): Promise<void> {
    if (!Number.isFinite(ttlSeconds)) {
      throw new WsgateError(
        'INVALID_OPTION',
        `RedisRevocationStore.revoke needs ttlSeconds as a finite number, got ${String(ttlSeconds)}.`,
      );
    }
    // Nothing to remember: no seal of it can open any more.
    if (ttlSeconds <= 0) return;
    await this.#connection.script(
      revokeScript,
      [this.#key(sessionId)],
      [String(Math.ceil(ttlSeconds * 1000))],
    );
  }

  /** One `SET NX`: of two nodes claiming the same id at once, exactly one gets `true`. */
  async revokeIfNew(id: string, ttlSeconds: number): Promise<boolean> {
    const ms = Math.max(1, Math.ceil(ttlSeconds * 1000));
    const set = ['SET', this.#key(id), '1', 'PX', String(ms), 'NX'];
    return (await this.#connection.command<string | null>(set)) === 'OK';
  }

  async isRevoked(sessionId: string): Promise<boolean> {
    return (await this.#connection.command<number>(['EXISTS', this.#key(sessionId)])) === 1;
  }

  /** The connection's state, for a health endpoint. */
  health(): RedisHealth {
    return this.#connection.health();
  }

  /** Closes the connection; later calls reject. */
  close(): void {
    this.#connection.close();
  }

  #key(sessionId: string): string {
    return `${this.#prefix}:revoked:${sessionId}`;
  }
}
