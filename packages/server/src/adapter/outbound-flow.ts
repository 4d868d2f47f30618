/**
 * Outbound backpressure for one WebSocket. ws buffers without limit, so an application that
 * pushes faster than its client reads would grow memory until the process dies. Here a send
 * waits while too much is buffered, and a client that stays stuck is cut off.
 */
import type { Duplex } from 'node:stream';
import type WebSocket from 'ws';

/** What every send that has nothing to wait for returns: one promise, settled once for all. */
const noWait: Promise<void> = Promise.resolve();

/**
 * Told that a reader is stuck (it should terminate the socket); given the WebSocket, so one
 * function can serve every socket.
 */
export type OnStuck = (why: string, bufferedAmount: number, ws: WebSocket) => void;

export interface OutboundLimits {
  readonly sendHighWaterMark: number;
  readonly maxBufferedAmount: number;
  readonly slowReaderTimeoutMs: number;
}

/**
 * Sends frames on `ws`, written straight to `socket` (the upgraded one). `send()` resolves at
 * once below `sendHighWaterMark` buffered bytes and otherwise waits for the socket to drain.
 * Past `maxBufferedAmount`, or without draining for `slowReaderTimeoutMs`, `onStuck` is called
 * (it should terminate the socket) and the waiting sends resolve.
 *
 * @example
 * const flow = new OutboundFlow(ws, socket, limits, (why) => ws.terminate());
 * await flow.send('hello');
 */
export class OutboundFlow {
  readonly #ws: WebSocket;
  readonly #socket: Duplex;
  readonly #limits: OutboundLimits;
  readonly #onStuck: OnStuck;
  #draining: Promise<void> | null = null;
  #stopDraining: (() => void) | null = null;

  constructor(ws: WebSocket, socket: Duplex, limits: OutboundLimits, onStuck: OnStuck) {
    this.#ws = ws;
    this.#socket = socket;
    this.#limits = limits;
    this.#onStuck = onStuck;
  }

  /** Not async: below the high-water mark, a send allocates no promise of its own. */
  send(data: string | Uint8Array): Promise<void> {
    this.#ws.send(data);
    const buffered = this.#ws.bufferedAmount;
    if (buffered > this.#limits.maxBufferedAmount) {
      this.#stuck(`more than maxBufferedAmount (${this.#limits.maxBufferedAmount}) bytes buffered`);
      return noWait;
    }
    // Only a socket that asked for a drain will emit one; otherwise it is taking writes again.
    if (buffered > this.#limits.sendHighWaterMark && this.#socket.writableNeedDrain) {
      return this.#drained();
    }
    return noWait;
  }

  /** Ends any wait (the socket closed); idempotent. */
  stop(): void {
    this.#stopDraining?.();
  }

  #stuck(why: string): void {
    const buffered = this.#ws.bufferedAmount;
    this.stop();
    this.#onStuck(why, buffered, this.#ws);
  }

  #drained(): Promise<void> {
    this.#draining ??= new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#stuck(
          `not drained within slowReaderTimeoutMs (${this.#limits.slowReaderTimeoutMs} ms)`,
        );
      }, this.#limits.slowReaderTimeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.#socket.off('drain', done);
        this.#socket.off('close', done);
        this.#draining = null;
        this.#stopDraining = null;
        resolve();
      };
      this.#stopDraining = done;
      this.#socket.on('drain', done);
      this.#socket.on('close', done);
    });
    return this.#draining;
  }
}
