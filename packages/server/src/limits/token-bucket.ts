/**
 * A token bucket: a steady rate with room for bursts. Messages from people arrive in bursts
 * (a paste, a reconnect flushing its queue), so a plain "n per second" window would cut off
 * honest clients; the bucket allows `capacity` at once and `ratePerSecond` sustained.
 */
import { checkLimit } from './check-limit.js';

// Refills are sums of float products; without a tolerance, waiting exactly msUntil() could
// leave 0.9999999 tokens and refuse a message the bucket promised.
const rounding = 1e-9;

/**
 * Options of {@link TokenBucket}.
 *
 * @example
 * new TokenBucket({ ratePerSecond: 20, capacity: 40 });
 */
export interface TokenBucketOptions {
  /** Tokens added per second, up to `capacity`. */
  readonly ratePerSecond: number;
  /** The most tokens the bucket holds: the largest burst. It starts full. */
  readonly capacity: number;
}

/**
 * Refills continuously at `ratePerSecond` up to `capacity`; `tryTake` spends tokens if there
 * are enough. Time is `performance.now()`, monotonic, so a wall-clock jump changes nothing.
 *
 * @example
 * const bucket = new TokenBucket({ ratePerSecond: 20, capacity: 40 });
 * if (!bucket.tryTake()) refuse(bucket.msUntil(1));
 */
export class TokenBucket {
  readonly #ratePerMs: number;
  readonly #capacity: number;
  #tokens: number;
  #updatedAt = performance.now();

  constructor(options: TokenBucketOptions) {
    this.#ratePerMs = checkLimit('TokenBucket', 'ratePerSecond', options.ratePerSecond) / 1000;
    this.#capacity = checkLimit('TokenBucket', 'capacity', options.capacity);
    this.#tokens = this.#capacity;
  }

  /** Tokens available now (fractional while refilling). */
  get tokens(): number {
    this.#refill();
    return this.#tokens;
  }

  /** Spends `count` tokens and returns true, or spends nothing and returns false. */
  tryTake(count = 1): boolean {
    this.#refill();
    if (this.#tokens + rounding < count) return false;
    this.#tokens = Math.max(0, this.#tokens - count);
    return true;
  }

  /**
   * Milliseconds until `count` tokens are available (0 if they are now, Infinity if `count`
   * exceeds the capacity). Rounded up, so waiting that long is enough.
   */
  msUntil(count = 1): number {
    if (count > this.#capacity) return Infinity;
    this.#refill();
    const missing = count - this.#tokens - rounding;
    return missing <= 0 ? 0 : Math.ceil(missing / this.#ratePerMs - rounding);
  }

  /** Milliseconds until the bucket is full again: when a whole burst may be sent. */
  msUntilFull(): number {
    return this.msUntil(this.#capacity);
  }

  #refill(): void {
    const now = performance.now();
    this.#tokens = Math.min(
      this.#capacity,
      this.#tokens + (now - this.#updatedAt) * this.#ratePerMs,
    );
    this.#updatedAt = now;
  }
}
