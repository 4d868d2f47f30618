/**
 * One socket's ear for logouts elsewhere: its own channel on the layer, in the group of the
 * session it currently holds, read by one cancellable receive. Anonymous sockets follow no
 * session and cost nothing: the channel is made on the first `follow` of a session.
 */
import type { ChannelLayer, ChannelLayerMessage } from '../layers/channel-layer.js';
import type { Logger } from '../logger.js';
import { unavailableReply } from '../unavailable-reply.js';
import { isRevocationNotice, sessionGroup } from '../sessions/revocation-notice.js';
import type { RevocationNotice } from '../sessions/revocation-notice.js';

/**
 * @example
 * const listener = new RevocationListener(layer, logger, (notice) => revoked(notice));
 * await listener.follow(session.id);
 * // on disconnect:
 * await listener.stop();
 */
export class RevocationListener {
  readonly #layer: ChannelLayer;
  readonly #logger: Logger;
  readonly #onNotice: (notice: RevocationNotice) => void;
  readonly #stopping = new AbortController();
  #stopped = false;
  #channel: Promise<string> | undefined;
  /** The group joined, or being joined, by the last move. */
  #group: string | null = null;
  /** Moves between groups run one at a time, in the order asked. */
  #moves: Promise<void> = Promise.resolve();

  constructor(layer: ChannelLayer, logger: Logger, onNotice: (notice: RevocationNotice) => void) {
    this.#layer = layer;
    this.#logger = logger;
    this.#onNotice = onNotice;
  }

  /** Listens for revocations of `sessionId` (leaving the previous one's group); null: none. */
  follow(sessionId: string | null): Promise<void> {
    const group = sessionId === null ? null : sessionGroup(sessionId);
    return this.#move(async (channel) => {
      const target = this.#stopped ? null : group;
      if (target === this.#group) return;
      const previous = this.#group;
      this.#group = target;
      if (previous !== null) await this.#layer.groupDiscard(previous, await channel());
      if (target !== null) await this.#layer.groupAdd(target, await channel());
    });
  }

  /** Joins the group again: layers forget memberships after a while (a day by default). */
  renew(): Promise<void> {
    return this.#move(async (channel) => {
      if (this.#group !== null) await this.#layer.groupAdd(this.#group, await channel());
    });
  }

  /** Leaves the group and stops listening. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.follow(null);
    this.#stopping.abort();
  }

  #move(step: (channel: () => Promise<string>) => Promise<void>): Promise<void> {
    this.#moves = this.#moves
      .then(() => step(() => this.#listening()))
      .catch((error: unknown) => {
        const message =
          'socketAuthMiddleware could not join or leave a session group on the channel layer; ' +
          'revocations reach this socket at its next re-check instead';
        // An outage is logged once by the layer, which writes its memberships back on return.
        if (unavailableReply(error)) this.#logger.debug(message, { error });
        else this.#logger.warn(message, { error });
      });
    return this.#moves;
  }

  /** This socket's channel, listened on from its first use. */
  #listening(): Promise<string> {
    this.#channel ??= this.#layer.newChannel('wsgate.socket').then((channel) => {
      void this.#listen(channel);
      return channel;
    });
    return this.#channel;
  }

  async #listen(channel: string): Promise<void> {
    const signal = this.#stopping.signal;
    for (;;) {
      let message: ChannelLayerMessage;
      try {
        message = await this.#layer.receive(channel, { signal });
      } catch (error) {
        if (!signal.aborted) {
          this.#logger.warn(
            'socketAuthMiddleware stopped listening for revocations: the channel layer failed; ' +
              'the periodic re-check still catches them',
            { error },
          );
        }
        return;
      }
      if (isRevocationNotice(message)) this.#onNotice(message);
    }
  }
}
