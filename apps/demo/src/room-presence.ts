import type { ChannelLayerMessage } from '@wsgate/server';

/** Who is in a room, as the page shows it: names (each once, however many tabs), and guests. */
export interface PresenceFrame {
  readonly type: 'presence';
  readonly members: readonly string[];
  readonly guests: number;
  /** A name that was not in the room before this change (not set for the first snapshot). */
  readonly joined?: string;
  /** A name that is no longer in the room after this change. */
  readonly left?: string;
}

/**
 * What the sockets of a room tell each other on the channel layer: `presence.join`, `.update`
 * and `.leave` go to the room's group, and each member answers a join with `presence.here`,
 * sent to the newcomer's channel only. `name` is null for a guest.
 */
export interface PresenceNotice extends ChannelLayerMessage {
  readonly type: 'presence.join' | 'presence.here' | 'presence.update';
  readonly channel: string;
  readonly name: string | null;
}

/** A socket of the room closed. */
export interface PresenceLeave extends ChannelLayerMessage {
  readonly type: 'presence.leave';
  readonly channel: string;
}

/**
 * One socket's view of its room: every other socket's name by channel, built from the
 * messages above, so no node holds a shared list and a restart rebuilds it as sockets return.
 *
 * @example
 * const presence = new RoomPresence();
 * presence.set('ch.1', 'ada'); // { type: 'presence', members: ['ada'], guests: 0, joined: 'ada' }
 * presence.set('ch.2', null); // { type: 'presence', members: ['ada'], guests: 1 }
 * presence.delete('ch.1'); // { type: 'presence', members: [], guests: 1, left: 'ada' }
 */
export class RoomPresence {
  readonly #names = new Map<string, string | null>();

  /** Records the socket's name; returns the frame, saying who joined or left by this. */
  set(channel: string, name: string | null): PresenceFrame {
    const before = this.#names.get(channel) ?? null;
    this.#names.set(channel, name);
    return this.#frame(name, before);
  }

  delete(channel: string): PresenceFrame {
    const before = this.#names.get(channel) ?? null;
    this.#names.delete(channel);
    return this.#frame(null, before);
  }

  /** The room now; `added` and `removed` name the change, counted once per name. */
  #frame(added: string | null, removed: string | null): PresenceFrame {
    const names = [...this.#names.values()];
    const members = [...new Set(names.filter((name) => name !== null))];
    members.sort((a, b) => a.localeCompare(b));
    const count = (name: string) => names.filter((each) => each === name).length;
    return {
      type: 'presence',
      members,
      guests: names.filter((name) => name === null).length,
      ...(added !== null && added !== removed && count(added) === 1 ? { joined: added } : {}),
      ...(removed !== null && removed !== added && count(removed) === 0 ? { left: removed } : {}),
    };
  }
}
