/**
 * When the client will try again. The client does not say (its `close` event tells whether it
 * will reconnect, not when), but it draws its jitter from the `random` option: the page
 * supplies that function and replays the client's backoff arithmetic with the same options,
 * `delay = floor(random * min(capMs, baseMs * 2^attempt))`, the attempt starting over once a
 * connection stayed open `stableAfterMs`. A reconnect that drew no jitter (after a 4401, or a
 * `retryAfterMs`) has no known delay: `null`.
 *
 * @example
 * const countdown = new ReconnectCountdown({ baseMs: 500, capMs: 10_000, stableAfterMs: 5_000 });
 * const client = createClient({ url, reconnect: { ...countdown.options, random: countdown.random } });
 * client.on('open', () => countdown.opened());
 * client.on('close', ({ willReconnect }) => show(willReconnect ? countdown.closed() : null));
 */
export class ReconnectCountdown {
  readonly options: {
    readonly baseMs: number;
    readonly capMs: number;
    readonly stableAfterMs: number;
  };
  #attempt = 0;
  #draw: number | null = null;
  #stableTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: { baseMs: number; capMs: number; stableAfterMs: number }) {
    this.options = options;
  }

  /** The client's source of jitter. */
  readonly random = (): number => {
    this.#draw = Math.random();
    return this.#draw;
  };

  /** A connection opened: the backoff starts over if it stays open. */
  opened(): void {
    clearTimeout(this.#stableTimer);
    this.#stableTimer = setTimeout(() => (this.#attempt = 0), this.options.stableAfterMs);
  }

  /** A connection closed and the client will reconnect: when, in ms since the epoch, or null. */
  closed(): number | null {
    clearTimeout(this.#stableTimer);
    const draw = this.#draw;
    this.#draw = null;
    if (draw === null) return null;
    const { baseMs, capMs } = this.options;
    const delay = Math.floor(draw * Math.min(capMs, baseMs * 2 ** this.#attempt));
    this.#attempt += 1;
    return Date.now() + delay;
  }

  /** The client was started again with `connect()`, which starts its backoff over too. */
  reset(): void {
    this.#attempt = 0;
    this.#draw = null;
  }

  stop(): void {
    clearTimeout(this.#stableTimer);
  }
}
