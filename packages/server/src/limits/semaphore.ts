/**
 * Bounded concurrency for expensive work, above all password hashing. scrypt, bcrypt and argon2
 * in an `authenticate` run on libuv's thread pool (4 threads unless `UV_THREADPOOL_SIZE` says
 * otherwise), the same pool that runs node:crypto's async key derivation and WebCrypto, and so
 * every handshake's session unseal. A login flood with unbounded hashing fills the pool and
 * every new connection waits behind it; running at most half the pool's worth of
 * `authenticate` calls at once keeps handshakes moving.
 */
import { AsyncQueue } from '../async-queue.js';
import { ServerErrorCode, WsgateError } from '../errors.js';
import { checkLimit } from './check-limit.js';

/**
 * Options of {@link Semaphore}.
 *
 * @example
 * new Semaphore(2, { maxQueued: 200 });
 */
export interface SemaphoreOptions {
  /**
   * Tasks that may wait for a slot; one more is refused at once with OVERLOADED, because a
   * client waiting longer than the queue takes to drain is better told to come back.
   * @default 100
   */
  readonly maxQueued?: number;
}

/**
 * Options of one {@link Semaphore.run} call.
 *
 * @example
 * await semaphore.run(() => verifyPassword(password, hash), { signal: AbortSignal.timeout(5_000) });
 */
export interface SemaphoreRunOptions {
  /** Aborting it while the task still waits withdraws it and rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/**
 * Runs at most `maxConcurrent` tasks at once; up to `maxQueued` more wait in FIFO order and
 * beyond that `run` rejects at once with a WsgateError `OVERLOADED` ("the server is busy").
 * A slot is released whether the task resolves, rejects or throws.
 *
 * Meant for `authenticate`: password hashing shares libuv's thread pool (4 threads by default)
 * with every handshake's session unseal (its key derivation runs there too), so bounding
 * concurrent logins to 2, half the pool, keeps a login flood from stalling new connections.
 *
 * @example
 * const hashing = new Semaphore(2, { maxQueued: 100 });
 * const authenticate = ({ username, password }) =>
 *   hashing.run(async () => {
 *     const user = await users.findByName(username);
 *     return (await verify(password, user?.passwordHash ?? dummyHash)) && user ? user : null;
 *   });
 */
export class Semaphore {
  readonly #maxConcurrent: number;
  readonly #maxQueued: number;
  /** Free slots; a waiting task is a waiter on this queue, so FIFO order is the queue's. */
  readonly #slots = new AsyncQueue<void>();
  #running = 0;
  #queued = 0;

  constructor(maxConcurrent: number, options: SemaphoreOptions = {}) {
    this.#maxConcurrent = checkLimit('Semaphore', 'maxConcurrent', maxConcurrent, {
      integer: true,
    });
    this.#maxQueued = checkLimit('Semaphore', 'maxQueued', options.maxQueued ?? 100, {
      integer: true,
      allowZero: true,
      allowInfinity: true,
    });
    for (let i = 0; i < this.#maxConcurrent; i += 1) this.#slots.push();
  }

  /** Tasks running now. */
  get running(): number {
    return this.#running;
  }

  /** Tasks waiting for a slot. */
  get queued(): number {
    return this.#queued;
  }

  /** Runs `task` once a slot is free; rejects at once with OVERLOADED when the queue is full. */
  async run<T>(task: () => T | Promise<T>, options: SemaphoreRunOptions = {}): Promise<T> {
    await this.#acquire(options.signal);
    this.#running += 1;
    try {
      return await task();
    } finally {
      this.#running -= 1;
      this.#slots.push();
    }
  }

  async #acquire(signal: AbortSignal | undefined): Promise<void> {
    signal?.throwIfAborted();
    // Decided before the first await, so calls made in the same tick see each other.
    if (this.#slots.length > 0) return this.#slots.shift();
    if (this.#queued >= this.#maxQueued) {
      throw new WsgateError(
        ServerErrorCode.overloaded,
        `the server is busy: ${this.#running} tasks are running (maxConcurrent ` +
          `${this.#maxConcurrent}) and ${this.#queued} waiting (maxQueued ${this.#maxQueued}). ` +
          'Ask the client to retry shortly; raise maxQueued if this load is normal.',
      );
    }
    this.#queued += 1;
    try {
      await this.#slots.shift(signal);
    } finally {
      this.#queued -= 1;
    }
  }
}
