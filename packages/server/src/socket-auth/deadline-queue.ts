/**
 * One timer for many deadlines: a min-heap of them, with a single `setTimeout` armed for the
 * earliest. socketAuthMiddleware keeps one per instance for every socket's expiry and re-check,
 * as the adapter keeps one heartbeat interval per server, so an idle socket holds no timer of
 * its own. Times are milliseconds since the epoch (`Date.now()`); a deadline fires once that
 * time has come, never before.
 */

/** setTimeout's ceiling (about 24.8 days); a longer delay would fire at once. */
const maxTimerMs = 2 ** 31 - 1;

/**
 * A time at which something runs, once per `at`: rescheduled by calling `at` again.
 *
 * @example
 * const check = new Deadline(queue, () => recheck());
 * check.at(Date.now() + 300_000);
 * // on disconnect:
 * check.stop();
 */
export class Deadline {
  readonly queue: DeadlineQueue;
  readonly fire: () => void;
  /** When it is due, while queued. */
  dueAt = 0;
  /** Its place in the queue's heap; -1 while not queued. */
  index = -1;

  constructor(queue: DeadlineQueue, fire: () => void) {
    this.queue = queue;
    this.fire = fire;
  }

  get isScheduled(): boolean {
    return this.index >= 0;
  }

  /** Runs `fire` at `time` (at once if it has passed), replacing the time set before. */
  at(time: number): void {
    this.queue.schedule(this, time);
  }

  stop(): void {
    this.queue.cancel(this);
  }
}

/**
 * @example
 * const queue = new DeadlineQueue();
 * new Deadline(queue, () => expire()).at(session.expiresAt);
 */
export class DeadlineQueue {
  readonly #heap: Deadline[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** The due time the timer was armed for. */
  #armedFor = Infinity;

  schedule(deadline: Deadline, time: number): void {
    if (deadline.index >= 0) this.#remove(deadline);
    deadline.dueAt = time;
    deadline.index = this.#heap.length;
    this.#heap.push(deadline);
    this.#up(deadline.index);
    this.#arm();
  }

  cancel(deadline: Deadline): void {
    if (deadline.index < 0) return;
    this.#remove(deadline);
    this.#arm();
  }

  /** Runs every deadline that is due, earliest first, then waits for the next one. */
  #fire(): void {
    this.#timer = undefined;
    this.#armedFor = Infinity;
    const now = Date.now();
    for (let next = this.#heap[0]; next !== undefined && next.dueAt <= now; next = this.#heap[0]) {
      this.#remove(next);
      next.fire();
    }
    this.#arm();
  }

  /** Keeps the timer on the earliest deadline, and no timer when there is none. */
  #arm(): void {
    const earliest = this.#heap[0];
    if (earliest === undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#armedFor = Infinity;
      return;
    }
    if (this.#timer !== undefined && this.#armedFor === earliest.dueAt) return;
    clearTimeout(this.#timer);
    const delay = Math.min(Math.max(0, earliest.dueAt - Date.now()), maxTimerMs);
    this.#armedFor = earliest.dueAt;
    this.#timer = setTimeout(() => this.#fire(), delay);
  }

  #remove(deadline: Deadline): void {
    const heap = this.#heap;
    const { index } = deadline;
    deadline.index = -1;
    const last = heap.pop() as Deadline;
    if (last === deadline) return;
    heap[index] = last;
    last.index = index;
    this.#up(index);
    this.#down(last.index);
  }

  #up(start: number): void {
    const heap = this.#heap;
    let index = start;
    const item = heap[index] as Deadline;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex] as Deadline;
      if (parent.dueAt <= item.dueAt) break;
      heap[index] = parent;
      parent.index = index;
      index = parentIndex;
    }
    heap[index] = item;
    item.index = index;
  }

  #down(start: number): void {
    const heap = this.#heap;
    let index = start;
    const item = heap[index] as Deadline;
    for (;;) {
      let child = 2 * index + 1;
      if (child >= heap.length) break;
      const right = child + 1;
      if (
        right < heap.length &&
        (heap[right] as Deadline).dueAt < (heap[child] as Deadline).dueAt
      ) {
        child = right;
      }
      const smaller = heap[child] as Deadline;
      if (smaller.dueAt >= item.dueAt) break;
      heap[index] = smaller;
      smaller.index = index;
      index = child;
    }
    heap[index] = item;
    item.index = index;
  }
}
