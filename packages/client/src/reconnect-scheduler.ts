/**
 * When the next connection attempt happens: after a delay, at once when the browser comes back
 * online, and not at all while it is offline (attempts would only fail and grow the backoff).
 */
import { isOffline, watchNetwork } from './network-signals.js';

/**
 * @example
 * const scheduler = new ReconnectScheduler(connect, () => connection?.check());
 * scheduler.watch();
 * scheduler.schedule(backoff.next());
 */
export class ReconnectScheduler {
  #timer: ReturnType<typeof setTimeout> | undefined;
  #waitingForOnline = false;
  #stopWatching: (() => void) | undefined;

  constructor(
    private readonly connect: () => void,
    /** Asked to verify the current link when the network or the page may have changed it. */
    private readonly checkLink: () => void,
  ) {}

  /** True while an attempt is due (on a timer or on `online`). */
  get pending(): boolean {
    return this.#timer !== undefined || this.#waitingForOnline;
  }

  schedule(delayMs: number): void {
    this.cancel();
    if (isOffline()) this.#waitingForOnline = true;
    else this.#timer = setTimeout(() => this.#fire(), delayMs);
  }

  cancel(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#waitingForOnline = false;
  }

  /** Follows the browser's online, offline and visibility events (nothing to follow in Node). */
  watch(): void {
    this.#stopWatching ??= watchNetwork({
      online: () => {
        if (this.pending) this.#fire();
      },
      offline: () => {
        if (this.#timer === undefined) return this.checkLink();
        this.cancel();
        this.#waitingForOnline = true;
      },
      visible: () => this.checkLink(),
    });
  }

  /** Stops watching and forgets any due attempt. */
  stop(): void {
    this.cancel();
    this.#stopWatching?.();
    this.#stopWatching = undefined;
  }

  #fire(): void {
    this.cancel();
    this.connect();
  }
}
