import type { Logger } from '../logger.js';
import type { RevocationStore } from './revocation-store.js';

/**
 * Whether a revocation store answers, as the session middleware sees it: the first refused
 * request of an outage is logged as a warning and the first answer after it as news, so that
 * a store that is down for a minute costs two log lines, not one per request.
 *
 * @example
 * const outage = storeOutage(settings.revocationStore, logger);
 * try { record = await loadSession(settings, seal); outage.answered(); }
 * catch (error) { outage.refused(error); return refuse(); }
 */
export class StoreOutage {
  readonly #logger: Logger;
  /** When the outage began (ms since the epoch), or null while the store answers. */
  #since: number | null = null;
  #refused = 0;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** A request was refused because the store failed with `error`. */
  refused(error: unknown): void {
    this.#refused += 1;
    const reason = error instanceof Error ? error.message : String(error);
    if (this.#since !== null) {
      this.#logger.debug('sessionMiddleware refused a request: the revocation store failed', {
        error: reason,
      });
      return;
    }
    this.#since = Date.now();
    this.#logger.warn(
      'sessionMiddleware cannot check sessions: the revocation store failed. Requests that ' +
        'carry a session cookie are refused (HTTP 503, WebSocket close 1013, code ' +
        'SESSION_STORE_UNAVAILABLE) until it answers again; requests without one go on',
      { error: reason },
    );
  }

  /** The store answered: ends an outage, if one was under way. */
  answered(): void {
    if (this.#since === null) return;
    const seconds = ((Date.now() - this.#since) / 1000).toFixed(1);
    const refused = this.#refused;
    this.#since = null;
    this.#refused = 0;
    this.#logger.info(
      `sessionMiddleware checks sessions again: the revocation store answered after ${seconds} s, ` +
        `during which ${refused} request${refused === 1 ? ' was' : 's were'} refused`,
    );
  }
}

const outages = new WeakMap<RevocationStore, StoreOutage>();

/**
 * The one StoreOutage of `store`, shared by every session middleware that uses it (an app's
 * HTTP and WebSocket stacks usually both do), so an outage is logged once, not once per stack.
 */
export function storeOutage(store: RevocationStore, logger: Logger): StoreOutage {
  let outage = outages.get(store);
  if (outage === undefined) outages.set(store, (outage = new StoreOutage(logger)));
  return outage;
}
