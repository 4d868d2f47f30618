/**
 * Keeps the session cookie in step with the socket: every `session.updated` ticket is traded
 * for a cookie at the session endpoint (in arrival order, so the newest session wins), a
 * refresh is scheduled before the session runs out, and other tabs of the origin hear about
 * logouts and take turns refreshing.
 */
import type { WsgateClientError } from './client-error.js';
import type { CrossTabOptions } from './cross-tab.js';
import { CrossTab } from './cross-tab.js';
import type { TicketExchangeOptions } from './ticket-exchange.js';
import { exchangeTicket } from './ticket-exchange.js';

export interface SessionSyncOptions {
  /** Where tickets go; undefined when the `sessionEndpoint` option is false. */
  readonly exchange: TicketExchangeOptions | undefined;
  /** When to refresh, as a fraction of the session's remaining life (0.8: at 80 %). */
  readonly refreshAt: number;
  readonly crossTab: CrossTabOptions;
  /** A refresh is due; the caller runs it (and reports its failure). */
  readonly refreshDue: () => void;
  /** A ticket could not be exchanged. */
  readonly error: (error: WsgateClientError) => void;
}

/** setTimeout's ceiling (about 24.8 days); longer delays would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * @example
 * const sync = new SessionSync({ exchange, refreshAt: 0.8, crossTab, refreshDue, error });
 * sync.start();
 * const [result, failure] = await sync.withCookie(() => request('auth.login'));
 */
export class SessionSync {
  #exchanges: Promise<WsgateClientError | undefined> = Promise.resolve(undefined);
  #tickets = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #crossTab: CrossTab | undefined;
  #refreshing: Promise<void> | undefined;

  constructor(private readonly options: SessionSyncOptions) {}

  start(): void {
    this.#crossTab ??= new CrossTab(this.options.crossTab);
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#crossTab?.close();
    this.#crossTab = undefined;
  }

  /** A `session.updated` arrived. */
  updated(ticket: string, expiresAt: number): void {
    this.#tickets += 1;
    const exchange = this.options.exchange;
    if (exchange) {
      this.#exchanges = this.#exchanges.then(() =>
        exchangeTicket(ticket, exchange).then(
          () => undefined,
          (error: WsgateClientError) => {
            this.options.error(error);
            return error;
          },
        ),
      );
    }
    this.#schedule(expiresAt);
  }

  /** Resolves once every ticket received so far was exchanged, with the last one's failure. */
  settled(): Promise<WsgateClientError | undefined> {
    return this.#exchanges;
  }

  /**
   * Runs a request that may save the session, and waits until the ticket it produced (the
   * server sends it before the answer) is a cookie, so that HTTP requests right after see the
   * new session. Resolves with the answer and the exchange's failure, if any.
   */
  async withCookie<T>(request: () => Promise<T>): Promise<[T, WsgateClientError | undefined]> {
    const before = this.#tickets;
    const result = await request();
    return [result, this.#tickets > before ? await this.settled() : undefined];
  }

  /** Refreshes with `request`, one tab at a time; concurrent calls share one refresh. */
  refresh(request: () => Promise<unknown>): Promise<void> {
    const work = async (): Promise<void> => {
      const [, failure] = await this.withCookie(request);
      if (failure) throw failure;
    };
    this.#refreshing ??= (this.#crossTab ? this.#crossTab.exclusive(work) : work()).finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  /** Tells the other tabs that the session is gone. */
  signedOut(reason: string): void {
    this.#crossTab?.signedOut(reason);
  }

  #schedule(expiresAt: number): void {
    clearTimeout(this.#timer);
    const remaining = expiresAt - Date.now();
    if (remaining <= 0) return;
    const refreshAt = Date.now() + remaining * this.options.refreshAt;
    const wait = (): void => {
      const delay = refreshAt - Date.now();
      this.#timer = setTimeout(
        () => (delay > MAX_TIMER_MS ? wait() : this.options.refreshDue()),
        Math.min(delay, MAX_TIMER_MS),
      );
    };
    wait();
  }
}
