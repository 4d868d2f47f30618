/**
 * In-band heartbeat. Browsers cannot send ping frames, and a link that died without a FIN (a
 * laptop lid, a NAT that forgot the mapping) looks open for minutes, so the client sends
 * `session.ping` and treats silence as death: any frame from the server proves the link alive.
 */

export interface HeartbeatOptions {
  /** How often to ping; 0 sends no periodic pings (`check()` still works). */
  readonly intervalMs: number;
  /** How long a ping may go unanswered before the link counts as dead. */
  readonly timeoutMs: number;
  readonly ping: () => void;
  readonly dead: () => void;
}

/**
 * Pings one connection and reports it dead when the server stays silent.
 *
 * @example
 * const heartbeat = new Heartbeat({ intervalMs: 25_000, timeoutMs: 10_000, ping, dead: reconnect });
 * heartbeat.start();
 * socket.onmessage = () => heartbeat.alive();
 */
export class Heartbeat {
  #interval: ReturnType<typeof setInterval> | undefined;
  #deadline: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: HeartbeatOptions) {}

  start(): void {
    this.stop();
    if (this.options.intervalMs > 0) {
      this.#interval = setInterval(() => this.check(), this.options.intervalMs);
    }
  }

  /** Pings now; the link is dead unless something arrives within the time-out. */
  check(): void {
    this.options.ping();
    // One deadline per silence: a second ping before the answer must not push it back.
    this.#deadline ??= setTimeout(() => {
      this.#deadline = undefined;
      this.stop();
      this.options.dead();
    }, this.options.timeoutMs);
  }

  /** Something arrived: the link works. */
  alive(): void {
    clearTimeout(this.#deadline);
    this.#deadline = undefined;
  }

  stop(): void {
    clearInterval(this.#interval);
    this.#interval = undefined;
    this.alive();
  }
}
