/**
 * Where {@link LoginThrottle} keeps failed-login counts. In memory by default (one process);
 * a shared store (Redis) makes the counts hold across every node, so an attacker gains
 * nothing by spreading attempts over them. The throttle owns the policy (thresholds, lockout
 * growth); a store only counts, locks and forgets, atomically per key.
 */

/** A key's failed logins as a store keeps them. */
export interface FailureRecord {
  /** Failures since the key was last forgotten or cleared. */
  readonly failures: number;
  /** Until when the key is locked, in ms since the epoch; 0 if it never was. */
  readonly lockedUntil: number;
}

/**
 * Storage for failed-login counts. Keys are opaque strings of at most ~140 characters (the
 * throttle hashes longer ones). Implementations may answer synchronously (in memory) or
 * asynchronously (Redis). `addFailure` must be atomic: attackers send attempts in parallel
 * precisely to race a read-then-write counter.
 *
 * @example
 * class RedisLoginThrottleStore implements LoginThrottleStore {
 *   constructor(private readonly redis: Redis) {}
 *   async get(key: string) {
 *     const [failures, lockedUntil] = await this.redis.hmget(`wsgate:login:${key}`, 'failures', 'lockedUntil');
 *     return failures === null ? null : { failures: Number(failures), lockedUntil: Number(lockedUntil ?? 0) };
 *   }
 *   async addFailure(key: string, ttlMs: number) {
 *     const k = `wsgate:login:${key}`;
 *     const [[, failures], , , [, lockedUntil]] = (await this.redis.multi()
 *       .hincrby(k, 'failures', 1).pexpire(k, ttlMs, 'NX').pexpire(k, ttlMs, 'GT')
 *       .hget(k, 'lockedUntil').exec())!;
 *     return { failures: Number(failures), lockedUntil: Number(lockedUntil ?? 0) };
 *   }
 *   async lock(key: string, until: number, ttlMs: number) {
 *     // In a Lua script in production, so that a shorter lock never overwrites a longer one.
 *     await this.redis.multi().hset(`wsgate:login:${key}`, 'lockedUntil', until)
 *       .pexpireat(`wsgate:login:${key}`, until + ttlMs, 'GT').exec();
 *   }
 *   async delete(key: string) {
 *     await this.redis.del(`wsgate:login:${key}`);
 *   }
 * }
 */
export interface LoginThrottleStore {
  /** The key's record, or null if it has none (never failed, forgotten or cleared). */
  get(key: string): FailureRecord | null | Promise<FailureRecord | null>;
  /**
   * Adds one failure to `key`, atomically, and returns the record after it. The record is
   * remembered for at least `ttlMs` from now (never less than it already was).
   */
  addFailure(key: string, ttlMs: number): FailureRecord | Promise<FailureRecord>;
  /**
   * Locks `key` until `until` (ms since the epoch) unless it is already locked longer, and
   * remembers the record until at least `until + ttlMs`.
   */
  lock(key: string, until: number, ttlMs: number): void | Promise<void>;
  /** Forgets `key` (a successful login clears its account's failures). */
  delete(key: string): void | Promise<void>;
}
