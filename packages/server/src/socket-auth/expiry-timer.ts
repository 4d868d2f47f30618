/**
 * A session's expiry, enforced on a live socket: one deadline per socket on the middleware's
 * shared queue, first for the `session.expiring` notice, then for the expiry itself.
 * Rescheduled whenever the session is saved (login, refresh) and cleared on disconnect, so no
 * deadline outlives its socket.
 */
import { Deadline } from './deadline-queue.js';
import type { DeadlineQueue } from './deadline-queue.js';

export interface ExpiryHandlers {
  /** `noticeMs` before `expiresAt` (at once when the socket opens later than that). */
  readonly expiring: (expiresAt: number) => void;
  readonly expired: () => void;
}

/**
 * @example
 * const timer = new ExpiryTimer(60_000, { expiring: notify, expired: endSession }, queue);
 * timer.schedule(session.expiresAt);
 * // on disconnect:
 * timer.stop();
 */
export class ExpiryTimer {
  readonly #noticeMs: number;
  readonly #handlers: ExpiryHandlers;
  readonly #deadline: Deadline;
  /** The expiry timed; null when nothing is. */
  #expiresAt: number | null = null;
  /** Whether the deadline queued is the notice's (else the expiry's). */
  #notice = false;

  constructor(noticeMs: number, handlers: ExpiryHandlers, queue: DeadlineQueue) {
    this.#noticeMs = noticeMs;
    this.#handlers = handlers;
    this.#deadline = new Deadline(queue, () => this.#due());
  }

  /** Times `expiresAt` (ms since the epoch), replacing what was timed; null times nothing. */
  schedule(expiresAt: number | null): void {
    this.#expiresAt = expiresAt;
    if (expiresAt === null) return this.#deadline.stop();
    this.#notice = this.#noticeMs > 0;
    this.#deadline.at(this.#notice ? expiresAt - this.#noticeMs : expiresAt);
  }

  stop(): void {
    this.schedule(null);
  }

  #due(): void {
    const expiresAt = this.#expiresAt as number;
    if (this.#notice) {
      this.#notice = false;
      this.#deadline.at(expiresAt);
      this.#handlers.expiring(expiresAt);
    } else {
      this.#expiresAt = null;
      this.#handlers.expired();
    }
  }
}
