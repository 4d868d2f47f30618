/**
 * Events waiting for an application's `receive()`, with a bound enforced by pausing the source
 * (a WebSocket, a request body) rather than by dropping anything: TCP then pushes back on the
 * client. The last event (a disconnect) is sticky, so a finished application can call
 * `receive()` as often as it likes and never hangs.
 */
import { AsyncQueue } from '../async-queue.js';

/** The source an inbox throttles. */
export interface FlowControl {
  pause(): void;
  resume(): void;
}

/**
 * A bounded inbox: at `capacity` queued events the source is paused; once the application has
 * taken one back below it, the source resumes. Events the source had already read when it was
 * paused are still queued, so the queue can briefly exceed `capacity` by one socket read.
 *
 * @example
 * const inbox = new Inbox<Event>(64, { pause: () => ws.pause(), resume: () => ws.resume() });
 * ws.on('message', (data) => inbox.push(toEvent(data)));
 * ws.on('close', (code) => inbox.end({ type: 'websocket.disconnect', code }));
 */
export class Inbox<T> {
  readonly #queue = new AsyncQueue<T>();
  readonly #capacity: number;
  readonly #flow: FlowControl;
  #ended = false;
  #paused = false;

  constructor(capacity: number, flow: FlowControl) {
    this.#capacity = capacity;
    this.#flow = flow;
  }

  /** Events queued and not yet received. */
  get length(): number {
    return this.#queue.length;
  }

  get ended(): boolean {
    return this.#ended;
  }

  push(event: T): void {
    this.#queue.push(event);
    if (!this.#paused && this.#queue.length >= this.#capacity) {
      this.#paused = true;
      this.#flow.pause();
    }
  }

  /** Ends the inbox: once the queue is drained, every `receive()` returns `last`. */
  end(last: T): void {
    this.#ended = true;
    this.#queue.end(last);
  }

  /** The next event. Not async, so that a receive costs the queue's promise and nothing more. */
  receive(): Promise<T> {
    // A queued event is taken synchronously, so the length below is already one shorter.
    const next = this.#queue.shift();
    if (this.#paused && this.#queue.length < this.#capacity) {
      this.#paused = false;
      if (!this.#ended) this.#flow.resume();
    }
    return next;
  }
}
