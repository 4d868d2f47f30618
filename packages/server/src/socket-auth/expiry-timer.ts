/**
 * A session's expiry, enforced on a live socket: one timer per socket, first for the
 * `session.expiring` notice, then for the expiry itself. Rescheduled whenever the session is
 * saved (login, refresh) and cleared on disconnect, so no timer outlives its socket.
 */

/** setTimeout's ceiling (about 24.8 days); a longer delay would fire at once. */
const maxTimerMs = 2 ** 31 - 1;

export interface ExpiryHandlers {
  /** `noticeMs` before `expiresAt` (at once when the socket opens later than that). */
  readonly expiring: (expiresAt: number) => void;
  readonly expired: () => void;
}

/**
 * @example
 * const timer = new ExpiryTimer(60_000, { expiring: notify, expired: endSession });
 * timer.schedule(session.expiresAt);
 * // on disconnect:
 * timer.stop();
 */
export class ExpiryTimer {
  readonly #noticeMs: number;
  readonly #handlers: ExpiryHandlers;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(noticeMs: number, handlers: ExpiryHandlers) {
    this.#noticeMs = noticeMs;
    this.#handlers = handlers;
  }

  /** Times `expiresAt` (ms since the epoch), replacing what was timed; null times nothing. */
  schedule(expiresAt: number | null): void {
    this.stop();
    if (expiresAt === null) return;
    if (this.#noticeMs > 0) {
      this.#at(expiresAt - this.#noticeMs, () => {
        this.#handlers.expiring(expiresAt);
        this.#at(expiresAt, () => this.#handlers.expired());
      });
    } else {
      this.#at(expiresAt, () => this.#handlers.expired());
    }
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Runs `then` at `time`, in steps when it is further away than one timer can wait. */
  #at(time: number, then: () => void): void {
    const delay = Math.max(0, time - Date.now());
    this.#timer = setTimeout(
      () => (delay > maxTimerMs ? this.#at(time, then) : then()),
      Math.min(delay, maxTimerMs),
    );
  }
}
