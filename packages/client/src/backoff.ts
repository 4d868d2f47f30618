/**
 * Exponential backoff with full jitter (AWS's "Exponential Backoff And Jitter"): each delay is
 * drawn uniformly from `[0, min(cap, base * 2^attempt))`, so a server that drops thousands of
 * clients at once is not hit by thousands of reconnects at the same instant.
 */

export interface BackoffOptions {
  /** The ceiling of the first delay. */
  readonly baseMs: number;
  /** No delay ceiling grows beyond this. */
  readonly capMs: number;
  /** A number in `[0, 1)`; injectable so that tests are deterministic. */
  readonly random: () => number;
}

/**
 * The delay before reconnect attempt `attempt` (0 for the first retry).
 *
 * @example
 * backoffDelay(3, { baseMs: 500, capMs: 30_000, random: Math.random }); // somewhere in [0, 4000)
 */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** attempt);
  return Math.floor(options.random() * ceiling);
}

/**
 * Counts attempts and hands out their delays; `reset()` once a connection proved stable.
 *
 * @example
 * const backoff = new Backoff({ baseMs: 500, capMs: 30_000, random: Math.random });
 * setTimeout(reconnect, backoff.next());
 */
export class Backoff {
  #attempt = 0;

  constructor(private readonly options: BackoffOptions) {}

  /** How many delays were handed out since the last reset. */
  get attempt(): number {
    return this.#attempt;
  }

  next(): number {
    const delay = backoffDelay(this.#attempt, this.options);
    this.#attempt += 1;
    return delay;
  }

  reset(): void {
    this.#attempt = 0;
  }
}
