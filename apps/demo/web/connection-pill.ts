import { byId } from './element.js';
import type { Connection } from './room-client.js';

/** The pill's states: the connection's, and "signed out" (online, but the session ended). */
export type PillState = Connection | { readonly state: 'signed-out' };

/**
 * The connection indicator in the header, with a live countdown to the client's next attempt
 * while reconnecting and a "Retry now" button once the client gave up.
 *
 * @example
 * const pill = new ConnectionPill(() => room.client.connect());
 * client.on('reconnecting', ({ retryAt }) => pill.show({ state: 'reconnecting', retryAt }));
 */
export class ConnectionPill {
  readonly #pill = byId('connection');
  readonly #label = byId('connection-label');
  readonly #retry = byId<HTMLButtonElement>('retry');
  #ticker: ReturnType<typeof setInterval> | undefined;

  constructor(retry: () => void) {
    this.#retry.addEventListener('click', retry);
  }

  show(pill: PillState): void {
    clearInterval(this.#ticker);
    this.#pill.dataset.state = pill.state;
    this.#retry.hidden = pill.state !== 'offline';
    if (pill.state === 'reconnecting') {
      const { retryAt } = pill;
      const tick = () => (this.#label.textContent = reconnectingLabel(retryAt));
      tick();
      this.#ticker = setInterval(tick, 250);
      return;
    }
    this.#label.textContent = labels[pill.state];
  }
}

const labels = {
  connecting: 'Connecting…',
  online: 'Online',
  offline: 'Offline',
  'signed-out': 'Signed out',
} as const;

/** `retryAt` is null while no attempt waits for its time (one under way, or offline). */
function reconnectingLabel(retryAt: number | null): string {
  const seconds = retryAt === null ? 0 : Math.ceil((retryAt - Date.now()) / 1000);
  return seconds > 0 ? `Reconnecting in ${seconds} s` : 'Reconnecting…';
}
