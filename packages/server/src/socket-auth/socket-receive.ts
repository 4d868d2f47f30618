/**
 * The `receive` that socketAuthMiddleware hands the application: the socket's events with the
 * control frames taken out (handled before the next event is read, in order) and
 * `websocket.auth` events put in. It reads the socket only when the application asks, so the
 * adapter's backpressure still works, and passes application events on as they came (the same
 * objects: no copy on the hot path).
 */
import type { InboundEvent, Receive, WebSocketAuthEvent } from '@wsgate/shared';
import { AsyncQueue } from '../async-queue.js';

export interface SocketReceiveHandlers {
  /** Handles a text frame if it is a control message; false passes it to the application. */
  readonly control: (text: string) => boolean | Promise<boolean>;
  /** The socket closed (seen before the application sees the disconnect). */
  readonly disconnected: () => void;
}

/** Handed to the application's receive in place of an event when reading the socket failed. */
const failedMarker: InboundEvent = Object.freeze({ type: 'websocket.disconnect', code: 1011 });

/**
 * @example
 * const events = new SocketReceive(receive, { control, disconnected });
 * await inner(scope, events.receive, send);
 * events.inject({ type: 'websocket.auth', user, reason: 'login' });
 */
export class SocketReceive {
  readonly #outer: Receive;
  readonly #handlers: SocketReceiveHandlers;
  readonly #queue = new AsyncQueue<InboundEvent>();
  /** Receives of the application waiting on the queue. */
  #waiting = 0;
  #reading = false;
  #failure: unknown;

  constructor(outer: Receive, handlers: SocketReceiveHandlers) {
    this.#outer = outer;
    this.#handlers = handlers;
  }

  // No async functions here: an idle socket's application waits in `receive` and the read
  // waits on the socket, and as promise callbacks those keep far less than suspended frames.
  readonly receive: Receive = () => {
    if (this.#queue.length > 0) return this.#queue.shift().then((event) => this.#checked(event));
    this.#waiting += 1;
    this.#read();
    return this.#queue.shift().then((event) => {
      this.#waiting -= 1;
      return this.#checked(event);
    });
  };

  /** Puts `event` before anything the socket sends from now on. */
  inject(event: WebSocketAuthEvent): void {
    this.#queue.push(event);
  }

  #checked(event: InboundEvent): InboundEvent {
    if (event === failedMarker) throw this.#failure;
    return event;
  }

  /** Reads socket events until one is for the application, unless a read is under way. */
  #read(): void {
    if (this.#reading) return;
    this.#reading = true;
    this.#readNext();
  }

  #readNext(): void {
    let next: Promise<InboundEvent>;
    try {
      next = this.#outer();
    } catch (error) {
      return this.#failed(error);
    }
    next.then(
      (event) => this.#got(event),
      (error: unknown) => this.#failed(error),
    );
  }

  #got(event: InboundEvent): void {
    try {
      if (event.type === 'websocket.receive' && event.text !== undefined) {
        const handled = this.#handlers.control(event.text);
        if (handled === true) return this.#handled();
        if (handled === false) return this.#deliver(event);
        handled.then(
          (yes) => (yes ? this.#handled() : this.#deliver(event)),
          (error: unknown) => this.#failed(error),
        );
        return;
      }
      if (event.type === 'websocket.disconnect') this.#handlers.disconnected();
    } catch (error) {
      return this.#failed(error);
    }
    this.#deliver(event);
  }

  /** A control frame was handled: read on only if the application is still waiting. */
  #handled(): void {
    if (this.#waiting > 0 && this.#queue.length === 0) this.#readNext();
    else this.#reading = false;
  }

  #deliver(event: InboundEvent): void {
    this.#reading = false;
    this.#queue.push(event);
  }

  #failed(error: unknown): void {
    this.#failure = error;
    this.#reading = false;
    this.#queue.push(failedMarker);
  }
}
