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

  readonly receive: Receive = async () => {
    let event: InboundEvent;
    if (this.#queue.length > 0) {
      event = await this.#queue.shift();
    } else {
      this.#waiting += 1;
      this.#read();
      try {
        event = await this.#queue.shift();
      } finally {
        this.#waiting -= 1;
      }
    }
    if (event === failedMarker) throw this.#failure;
    return event;
  };

  /** Puts `event` before anything the socket sends from now on. */
  inject(event: WebSocketAuthEvent): void {
    this.#queue.push(event);
  }

  /** Reads socket events until one is for the application, unless a read is under way. */
  #read(): void {
    if (this.#reading) return;
    this.#reading = true;
    void this.#readUntilApplicationEvent().finally(() => {
      this.#reading = false;
    });
  }

  async #readUntilApplicationEvent(): Promise<void> {
    try {
      for (;;) {
        const event = await this.#outer();
        if (event.type === 'websocket.receive' && event.text !== undefined) {
          if (await this.#handlers.control(event.text)) {
            // Handled: read on only if the application is still waiting for something.
            if (this.#waiting > 0 && this.#queue.length === 0) continue;
            return;
          }
        } else if (event.type === 'websocket.disconnect') {
          this.#handlers.disconnected();
        }
        this.#queue.push(event);
        return;
      }
    } catch (error) {
      this.#failure = error;
      this.#queue.push(failedMarker);
    }
  }
}
