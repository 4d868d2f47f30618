/**
 * The handshake time-out of every pending WebSocket of a server, on one timer. A `setTimeout`
 * per handshake, cleared a moment later when the application accepts, costs each handshake a
 * Timeout, its closure, and Node's timer list for that duration, created and destroyed again
 * whenever it empties (with 50 handshakes in flight, it empties after nearly every one). Every
 * handshake here has the same time-out, so deadlines come in the order handshakes start: a
 * list in that order, with one timer for its head, is enough.
 */

/** What a deadline calls when it passes. */
export interface HandshakeTimeoutTarget {
  handshakeTimedOut(): void;
}

/** One pending handshake's place in the list; `cancel` it when the handshake ends. */
export interface HandshakeDeadline {
  readonly at: number;
  readonly target: HandshakeTimeoutTarget;
  previous: HandshakeDeadline | null;
  next: HandshakeDeadline | null;
}

/**
 * Calls each target's `handshakeTimedOut` `timeoutMs` after its `start`, unless cancelled.
 *
 * @example
 * const deadlines = new HandshakeDeadlines(10_000);
 * const deadline = deadlines.start(connection); // connection.handshakeTimedOut() in 10 s
 * deadlines.cancel(deadline); // accepted in time
 */
export class HandshakeDeadlines {
  readonly #timeoutMs: number;
  #first: HandshakeDeadline | null = null;
  #last: HandshakeDeadline | null = null;
  /** Armed for the head's deadline, or for an earlier one that was cancelled since. */
  #timer: NodeJS.Timeout | null = null;

  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
  }

  start(target: HandshakeTimeoutTarget): HandshakeDeadline {
    const deadline: HandshakeDeadline = {
      at: performance.now() + this.#timeoutMs,
      target,
      previous: this.#last,
      next: null,
    };
    if (this.#last === null) this.#first = deadline;
    else this.#last.next = deadline;
    this.#last = deadline;
    if (this.#timer === null) this.#timer = this.#arm(this.#timeoutMs);
    return deadline;
  }

  /** Idempotent. The timer stays as it is: when it fires, it moves on to the new head. */
  cancel(deadline: HandshakeDeadline): void {
    const { previous, next } = deadline;
    if (previous === null && next === null && this.#first !== deadline) return;
    if (previous === null) this.#first = next;
    else previous.next = next;
    if (next === null) this.#last = previous;
    else next.previous = previous;
    deadline.previous = null;
    deadline.next = null;
  }

  #arm(delayMs: number): NodeJS.Timeout {
    const timer = setTimeout(() => this.#expire(), delayMs);
    // A pending handshake's socket keeps the process alive; the timer need not.
    timer.unref();
    return timer;
  }

  #expire(): void {
    this.#timer = null;
    const now = performance.now();
    for (let head = this.#first; head !== null && head.at <= now; head = this.#first) {
      this.cancel(head);
      head.target.handshakeTimedOut();
    }
    if (this.#first !== null) this.#timer = this.#arm(Math.max(1, this.#first.at - now));
  }
}
