import type { FailureRecord, LoginThrottleStore } from '../limits/login-throttle-store.js';
import { luaScript } from './lua-script.js';
import type { RedisConnection, RedisHealth } from './redis-connection.js';
import { openStore } from './redis-options.js';
import type { RedisStoreOptions } from './redis-options.js';

/** Sets a key's expiry to `ms` from now unless it already lasts longer. */
const extend = `
local function extend(key, ms)
  if redis.call('PTTL', key) < ms then redis.call('PEXPIRE', key, ms) end
end
`;

/** KEYS: the record. ARGV: ttl ms. Returns failures and lockedUntil after one more failure. */
const addFailureScript = luaScript(`${extend}
local failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
extend(KEYS[1], tonumber(ARGV[1]))
return {failures, redis.call('HGET', KEYS[1], 'lockedUntil') or '0'}
`);

/** KEYS: the record. ARGV: until (ms since the epoch), ttl ms, now. Never shortens a lock. */
const lockScript = luaScript(`${extend}
local locked_until = tonumber(ARGV[1])
if locked_until > (tonumber(redis.call('HGET', KEYS[1], 'lockedUntil')) or 0) then
  redis.call('HSET', KEYS[1], 'lockedUntil', ARGV[1])
end
redis.call('HSETNX', KEYS[1], 'failures', 0)
-- At least 1 ms: a lock already over is forgotten at once, not kept forever.
extend(KEYS[1], math.max(1, locked_until + tonumber(ARGV[2]) - tonumber(ARGV[3])))
return 1
`);

/**
 * A {@link LoginThrottleStore} in Redis, so failed logins count across every node: spreading
 * guesses over them gains an attacker nothing. Each key is a hash `<prefix>:login:<key>` with
 * `failures` and `lockedUntil`, updated atomically by Lua scripts and deleted by Redis when it
 * expires. While Redis is unreachable calls reject with `STORE_UNAVAILABLE` after
 * `commandTimeout`, which fails the login attempt rather than letting it through unthrottled.
 *
 * @example
 * const throttle = new LoginThrottle({ store: new RedisLoginThrottleStore({ url: process.env.REDIS_URL }) });
 */
export class RedisLoginThrottleStore implements LoginThrottleStore {
  readonly #prefix: string;
  readonly #connection: RedisConnection;

  constructor(options: RedisStoreOptions = {}) {
    ({ prefix: this.#prefix, connection: this.#connection } = openStore(
      'RedisLoginThrottleStore',
      options,
    ));
  }

  async get(key: string): Promise<FailureRecord | null> {
    const [failures, lockedUntil] = await this.#connection.command<[string | null, string | null]>([
      'HMGET',
      this.#key(key),
      'failures',
      'lockedUntil',
    ]);
    return failures === null
      ? null
      : { failures: Number(failures), lockedUntil: Number(lockedUntil ?? 0) };
  }

  async addFailure(key: string, ttlMs: number): Promise<FailureRecord> {
    const [failures, lockedUntil] = await this.#connection.script<[number, string]>(
      addFailureScript,
      [this.#key(key)],
      [String(Math.ceil(ttlMs))],
    );
    return { failures, lockedUntil: Number(lockedUntil) };
  }

  async lock(key: string, until: number, ttlMs: number): Promise<void> {
    await this.#connection.script(
      lockScript,
      [this.#key(key)],
      [String(Math.ceil(until)), String(Math.ceil(ttlMs)), String(Date.now())],
    );
  }

  async delete(key: string): Promise<void> {
    await this.#connection.command(['DEL', this.#key(key)]);
  }

  /** The connection's state, for a health endpoint. */
  health(): RedisHealth {
    return this.#connection.health();
  }

  /** Closes the connection; later calls reject. */
  close(): void {
    this.#connection.close();
  }

  #key(key: string): string {
    return `${this.#prefix}:login:${key}`;
  }
}
