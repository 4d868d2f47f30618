/**
 * The ear of every socket of one socketAuthMiddleware for logouts elsewhere: one channel on the
 * layer, in the group of each session some socket follows, read by one cancellable receive,
 * and each notice handed to the sockets of its session. One channel for all of them, not one
 * per socket: an idle socket costs a map entry here, not a channel, a queue and a suspended
 * receive. Anonymous sockets follow no session and cost nothing; the channel is made when the
 * first session is followed and given up when the last one is left.
 */
import type { ChannelLayer, ChannelLayerMessage } from '../layers/channel-layer.js';
import type { Logger } from '../logger.js';
import { unavailableReply } from '../unavailable-reply.js';
import { isRevocationNotice, sessionGroup } from '../sessions/revocation-notice.js';
import type { RevocationNotice } from '../sessions/revocation-notice.js';

/** A socket that follows a session: told of that session's revocations. */
export interface RevocationFollower {
  revocationNoticed(notice: RevocationNotice): void;
}

/** The channel being listened on, and what stops that listening. */
interface Listening {
  readonly channel: Promise<string>;
  readonly stopping: AbortController;
}

/**
 * @example
 * const listener = new RevocationListener(layer, logger);
 * await listener.follow(socket, session.id);
 * // on disconnect:
 * await listener.follow(socket, null);
 */
export class RevocationListener {
  readonly #layer: ChannelLayer;
  readonly #logger: Logger;
  /** The group each follower joined, or is joining, by its last move. */
  readonly #groupOf = new Map<RevocationFollower, string>();
  /** Each joined group's followers: one directly, several in a Set. */
  readonly #members = new Map<string, RevocationFollower | Set<RevocationFollower>>();
  #listening: Listening | undefined;
  /** Moves between groups run one at a time, in the order asked. */
  #moves: Promise<void> = Promise.resolve();

  constructor(layer: ChannelLayer, logger: Logger) {
    this.#layer = layer;
    this.#logger = logger;
  }

  /**
   * Hands `follower` the revocations of `sessionId` (and no longer the previous one's); null:
   * none. The layer's group is joined by the first follower of a session and left by the last.
   */
  follow(follower: RevocationFollower, sessionId: string | null): Promise<void> {
    const target = sessionId === null ? null : sessionGroup(sessionId);
    const previous = this.#groupOf.get(follower) ?? null;
    if (target === previous) return this.#moves;
    if (target === null) this.#groupOf.delete(follower);
    else this.#groupOf.set(follower, target);
    const left = previous !== null && this.#leave(previous, follower);
    const joined = target !== null && this.#join(target, follower);
    return this.#move(async (channel) => {
      if (left) await this.#layer.groupDiscard(previous, await channel());
      if (joined) await this.#layer.groupAdd(target, await channel());
      if (this.#members.size === 0) this.#stopListening();
    });
  }

  /** Joins `follower`'s group again: layers forget memberships after a while (a day by default). */
  renew(follower: RevocationFollower): Promise<void> {
    return this.#move(async (channel) => {
      const group = this.#groupOf.get(follower);
      if (group !== undefined) await this.#layer.groupAdd(group, await channel());
    });
  }

  /** Adds `follower` to `group`'s; true when the group has no other. */
  #join(group: string, follower: RevocationFollower): boolean {
    const members = this.#members.get(group);
    if (members === undefined) {
      this.#members.set(group, follower);
      return true;
    }
    if (members instanceof Set) members.add(follower);
    else this.#members.set(group, new Set([members, follower]));
    return false;
  }

  /** Takes `follower` out of `group`'s; true when it was the last. */
  #leave(group: string, follower: RevocationFollower): boolean {
    const members = this.#members.get(group);
    if (members instanceof Set) {
      members.delete(follower);
      if (members.size > 1) return false;
      const [last] = members;
      if (last !== undefined) {
        this.#members.set(group, last);
        return false;
      }
    }
    this.#members.delete(group);
    return true;
  }

  #move(step: (channel: () => Promise<string>) => Promise<void>): Promise<void> {
    this.#moves = this.#moves
      .then(() => step(() => this.#channel()))
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

  /** The channel, listened on from its first use until no group is left. */
  #channel(): Promise<string> {
    if (this.#listening === undefined) {
      const stopping = new AbortController();
      const listening: Listening = {
        channel: this.#layer.newChannel('wsgate.socket').then(
          (name) => {
            void this.#listen(name, listening);
            return name;
          },
          (error: unknown) => {
            // The next move tries a new channel, as a new socket's would.
            this.#forget(listening);
            throw error;
          },
        ),
        stopping,
      };
      this.#listening = listening;
    }
    return this.#listening.channel;
  }

  #stopListening(): void {
    this.#listening?.stopping.abort();
    this.#listening = undefined;
  }

  #forget(listening: Listening): void {
    if (this.#listening === listening) this.#listening = undefined;
  }

  async #listen(channel: string, listening: Listening): Promise<void> {
    const { signal } = listening.stopping;
    for (;;) {
      let message: ChannelLayerMessage;
      try {
        message = await this.#layer.receive(channel, { signal });
      } catch (error) {
        if (!signal.aborted) {
          // Sockets that follow a session from now on (or renew) get a new channel.
          this.#forget(listening);
          this.#logger.warn(
            'socketAuthMiddleware stopped listening for revocations: the channel layer failed; ' +
              'the periodic re-check still catches them',
            { error },
          );
        }
        return;
      }
      if (!isRevocationNotice(message)) continue;
      const members = this.#members.get(sessionGroup(message.sessionId));
      if (members instanceof Set) {
        for (const follower of [...members]) follower.revocationNoticed(message);
      } else {
        members?.revocationNoticed(message);
      }
    }
  }
}
