/**
 * When the next connection attempt happens: after a delay, at once when the browser comes back
 * online, and not at all while it is offline (attempts would only fail and grow the backoff).
 * It numbers the attempts and announces each one's time, so that a UI can count down to it
 * instead of guessing.
 */
import type { ClientEvents } from './client-types.js';
import { isOffline, watchNetwork } from './network-signals.js';

export type ScheduledAttempt = ClientEvents['reconnecting'];

export interface SchedulerHooks {
  /** Makes the attempt. */
  readonly connect: () => void;
  /** Asked to verify the current link when the network or the page may have changed it. */
  readonly checkLink: () => void;
  /** An attempt was scheduled, or its time changed (offline, back online). */
  readonly scheduled: (attempt: ScheduledAttempt) => void;
}

/**
 * @example
 * const scheduler = new ReconnectScheduler({ connect, checkLink, scheduled: announce });
 * scheduler.watch();
 * scheduler.schedule(backoff.next());
 */
export class ReconnectScheduler {
  #timer: ReturnType<typeof setTimeout> | undefined;
  #waitingForOnline = false;
  #stopWatching: (() => void) | undefined;
  /** Attempts since `startOver()`; the one scheduled now, if any, included. */
  #attempt = 0;
  #retryAt: number | null = null;
  /** Bumped by every cancel(), so that an attempt a listener cancelled is not made anyway. */
  #generation = 0;

  constructor(private readonly hooks: SchedulerHooks) {}

  /** True while an attempt is due (on a timer or on `online`). */
  get pending(): boolean {
    return this.#timer !== undefined || this.#waitingForOnline;
  }

  /** When the pending attempt is due (ms since the epoch); null when none is, or offline. */
  get retryAt(): number | null {
    return this.#retryAt;
  }

  /** Schedules the next attempt `delayMs` from now (or for when the browser is back online). */
  schedule(delayMs: number): void {
    this.cancel();
    this.#attempt += 1;
    if (isOffline()) return this.#waitForOnline();
    this.#timer = setTimeout(() => this.#makeAttempt(), delayMs);
    this.#announce(delayMs);
  }

  /** Makes the next attempt at once, announced like any other (`connect()` after a close). */
  now(): void {
    this.#attempt += 1;
    this.#attemptNow();
  }

  /** Numbers attempts from 1 again: a connection proved stable, or the client was restarted. */
  startOver(): void {
    this.#attempt = 0;
  }

  cancel(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#waitingForOnline = false;
    this.#retryAt = null;
    this.#generation += 1;
  }

  /** Follows the browser's online, offline and visibility events (nothing to follow in Node). */
  watch(): void {
    this.#stopWatching ??= watchNetwork({
      online: () => {
        if (this.pending) this.#attemptNow();
      },
      offline: () => {
        if (this.#timer === undefined) return this.hooks.checkLink();
        this.cancel();
        this.#waitForOnline();
      },
      visible: () => this.hooks.checkLink(),
    });
  }

  /** Stops watching and forgets any due attempt. */
  stop(): void {
    this.cancel();
    this.#stopWatching?.();
    this.#stopWatching = undefined;
  }

  #waitForOnline(): void {
    this.#waitingForOnline = true;
    this.#announce(null);
  }

  /** Announces the pending attempt as due now, then makes it, unless a listener stopped it. */
  #attemptNow(): void {
    this.cancel();
    const generation = this.#generation;
    this.#announce(0);
    if (generation === this.#generation) this.#makeAttempt();
  }

  #makeAttempt(): void {
    this.cancel();
    this.hooks.connect();
  }

  #announce(delayMs: number | null): void {
    this.#retryAt = delayMs === null ? null : Date.now() + delayMs;
    this.hooks.scheduled({ attempt: this.#attempt, delayMs, retryAt: this.#retryAt });
  }
}
