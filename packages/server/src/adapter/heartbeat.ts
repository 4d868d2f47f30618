/**
 * Dead-link detection: a WebSocket whose peer vanished without a FIN (a laptop lid, a NAT
 * that forgot the flow) looks open forever. Pinging it and expecting a pong by the next ping
 * is the idle time-out. One interval per server pings every socket, as ws's README does: a
 * timer per socket would cost each idle connection a Timeout and its closures.
 */
import type WebSocket from 'ws';

/** One socket under a Heartbeat's watch. */
export class Pulse {
  /**
   * Life since the last ping. The heartbeat counts pongs; the socket's owner sets it for each
   * message, which it sees anyway (a second `message` listener would cost every frame).
   */
  alive = true;
  readonly ws: WebSocket;
  readonly onDead: (ws: WebSocket) => void;

  constructor(ws: WebSocket, onDead: (ws: WebSocket) => void) {
    this.ws = ws;
    this.onDead = onDead;
  }
}

/**
 * Pings every watched socket each `intervalMs`, and calls a socket's `onDead` (once, and stops
 * watching it) if neither a pong nor a message came since the previous ping. The interval runs
 * only while a socket is watched; 0 disables pinging.
 *
 * @example
 * const heartbeat = new Heartbeat(25_000);
 * const pulse = heartbeat.watch(ws, () => ws.terminate());
 * ws.on('message', () => (pulse.alive = true));
 * ws.on('close', () => heartbeat.unwatch(ws));
 */
export class Heartbeat {
  readonly #intervalMs: number;
  readonly #pulses = new Map<WebSocket, Pulse>();
  /** One listener for every socket's pongs: ws calls it with the socket as `this`. */
  readonly #onPong: (this: WebSocket) => void;
  #timer: NodeJS.Timeout | null = null;

  constructor(intervalMs: number) {
    this.#intervalMs = intervalMs;
    const pulses = this.#pulses;
    this.#onPong = function (this: WebSocket) {
      const pulse = pulses.get(this);
      if (pulse) pulse.alive = true;
    };
  }

  /**
   * Watches `ws` until `unwatch(ws)` or its death; the pulse is for reporting messages.
   * `onDead` is given the socket, so one function can serve every socket.
   */
  watch(ws: WebSocket, onDead: (ws: WebSocket) => void): Pulse {
    const pulse = new Pulse(ws, onDead);
    if (this.#intervalMs === 0) return pulse;
    this.#pulses.set(ws, pulse);
    ws.on('pong', this.#onPong);
    if (this.#timer === null) {
      this.#timer = setInterval(() => this.#sweep(), this.#intervalMs);
      this.#timer.unref();
    }
    return pulse;
  }

  /** Stops watching `ws`; idempotent. The interval stops with the last socket. */
  unwatch(ws: WebSocket): void {
    if (!this.#pulses.delete(ws)) return;
    ws.off('pong', this.#onPong);
    if (this.#pulses.size === 0 && this.#timer !== null) {
      clearInterval(this.#timer);
      this.#timer = null;
    }
  }

  #sweep(): void {
    for (const pulse of this.#pulses.values()) {
      if (pulse.alive) {
        pulse.alive = false;
        pulse.ws.ping();
      } else {
        this.unwatch(pulse.ws);
        pulse.onDead(pulse.ws);
      }
    }
  }
}
