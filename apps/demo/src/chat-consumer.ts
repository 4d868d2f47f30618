import { randomUUID } from 'node:crypto';
import { JsonWebsocketConsumer, WsgateError, logout } from '@wsgate/server';
import type {
  ChannelLayer,
  ChannelLayerMessage,
  WebSocketScope,
  WithSession,
  WithUrlRoute,
  WithUser,
} from '@wsgate/server';
import { RoomPresence } from './room-presence.js';
import type { PresenceLeave, PresenceNotice } from './room-presence.js';
import { isRoomName, roomGroup } from './room-name.js';
import type { SignedOutEverywhere } from './sign-out-everywhere.js';
import { userGroup } from './sign-out-everywhere.js';
import type { DemoUser } from './user-store.js';

/** The scope a chat socket runs with, behind the demo's whole stack. */
export type ChatScope = WebSocketScope & WithUrlRoute & WithSession & WithUser<DemoUser>;

/** A message as the room's group carries it and the page shows it. */
interface ChatMessage extends ChannelLayerMessage {
  readonly type: 'chat.message';
  readonly id: string;
  readonly from: string;
  readonly text: string;
  readonly at: number;
}

const maxTextLength = 2000;

/**
 * One chat room per URL (`/ws/chat/:room/`). Everyone may read; only signed-in users may post,
 * and a message carries the name of the socket's user, never one the client sends. Sockets
 * tell each other who is in the room over the channel layer (see RoomPresence), and a signed-in
 * socket also joins its user's group, through which "log out everywhere" reaches it.
 *
 * @example
 * urlRouter([route('/ws/chat/:room/', ChatConsumer.asApp({ channelLayer }))]);
 */
export class ChatConsumer extends JsonWebsocketConsumer<ChatScope> {
  readonly room = this.scope.urlRoute.kwargs.room ?? '';
  override groups = isRoomName(this.room) ? [roomGroup(this.room)] : [];
  readonly #presence = new RoomPresence();
  #userGroup: string | null = null;

  override async connect(): Promise<void> {
    if (!isRoomName(this.room)) {
      // A 4xxx close before accept reaches the client as auth.error with this message.
      return this.close(4400, 'a room name is 1 to 32 lower-case letters, digits or dashes');
    }
    await this.accept();
    await this.#followUser();
    await this.#announce('presence.join');
  }

  override async disconnect(): Promise<void> {
    if (!isRoomName(this.room)) return;
    await this.#moveUserGroup(null);
    const leave: PresenceLeave = { type: 'presence.leave', channel: this.channelName };
    await this.#layer.groupSend(roomGroup(this.room), leave);
  }

  override async receiveJson(content: unknown): Promise<void> {
    const { type, text } = (content ?? {}) as { type?: unknown; text?: unknown };
    if (type !== 'say') {
      return this.#refuse('BAD_MESSAGE', 'send {"type": "say", "text": "..."} to post');
    }
    const { user } = this.scope;
    if (!user.isAuthenticated) {
      return this.#refuse('UNAUTHENTICATED', `sign in to post in #${this.room}; guests can read`);
    }
    if (typeof text !== 'string' || text.trim() === '' || text.length > maxTextLength) {
      return this.#refuse('BAD_MESSAGE', `a message is 1 to ${maxTextLength} characters`);
    }
    const message: ChatMessage = {
      type: 'chat.message',
      id: randomUUID(),
      from: user.username,
      text: text.trim(),
      at: Date.now(),
    };
    await this.#layer.groupSend(roomGroup(this.room), message);
  }

  /** Signed in or out on this socket (login, logout, revocation, expiry). */
  override async authChanged(): Promise<void> {
    await this.#followUser();
    await this.#announce('presence.update');
  }

  async chatMessage({ id, from, text, at }: ChatMessage): Promise<void> {
    await this.sendJson({ type: 'message', id, from, text, at });
  }

  /** A socket came in: note it, and tell it we are here. */
  async presenceJoin(notice: PresenceNotice): Promise<void> {
    const frame = this.#presence.set(notice.channel, notice.name);
    if (notice.channel === this.channelName) {
      // Our own arrival: a snapshot of what we know, not news.
      const { type, members, guests } = frame;
      return this.sendJson({ type, members, guests });
    }
    await this.#layer.send(notice.channel, this.#notice('presence.here'));
    await this.sendJson(frame);
  }

  /** An answer to our join: someone who was already here. */
  async presenceHere(notice: PresenceNotice): Promise<void> {
    const { type, members, guests } = this.#presence.set(notice.channel, notice.name);
    await this.sendJson({ type, members, guests });
  }

  /** A socket signed in or out; news to everyone but itself. */
  async presenceUpdate(notice: PresenceNotice): Promise<void> {
    const frame = this.#presence.set(notice.channel, notice.name);
    if (notice.channel !== this.channelName) return this.sendJson(frame);
    const { type, members, guests } = frame;
    await this.sendJson({ type, members, guests });
  }

  async presenceLeave(leave: PresenceLeave): Promise<void> {
    await this.sendJson(this.#presence.delete(leave.channel));
  }

  /**
   * "Log out everywhere" ended this user's sessions (their hash changed in the database). A
   * socket still signed in with the old hash logs out now: the session is emptied and saved,
   * which sends the client a ticket that clears its cookie, and the page is told why.
   */
  async userSignedOut(message: SignedOutEverywhere): Promise<void> {
    const { user } = this.scope;
    if (!user.isAuthenticated || user.id !== message.userId) return;
    if (user.sessionAuthHash === message.sessionAuthHash) return;
    await logout(this.scope);
    await this.scope.session.save();
    await this.sendJson({ type: 'signed-out', reason: 'you signed out everywhere' });
  }

  get #layer(): ChannelLayer {
    if (this.channelLayer === null) {
      throw new WsgateError(
        'INVALID_OPTION',
        'ChatConsumer needs a channel layer: asApp({ channelLayer })',
      );
    }
    return this.channelLayer;
  }

  #notice(type: 'presence.join' | 'presence.here' | 'presence.update'): PresenceNotice {
    const { user } = this.scope;
    return { type, channel: this.channelName, name: user.isAuthenticated ? user.username : null };
  }

  #announce(type: 'presence.join' | 'presence.update'): Promise<void> {
    return this.#layer.groupSend(roomGroup(this.room), this.#notice(type));
  }

  /** In the group of the socket's user while signed in, so sign-outs elsewhere reach it. */
  #followUser(): Promise<void> {
    const { user } = this.scope;
    return this.#moveUserGroup(user.isAuthenticated ? userGroup(user.id) : null);
  }

  async #moveUserGroup(group: string | null): Promise<void> {
    if (group === this.#userGroup) return;
    if (this.#userGroup !== null) await this.#layer.groupDiscard(this.#userGroup, this.channelName);
    this.#userGroup = group;
    if (group !== null) await this.#layer.groupAdd(group, this.channelName);
  }

  #refuse(code: 'BAD_MESSAGE' | 'UNAUTHENTICATED', message: string): Promise<void> {
    return this.sendJson({ type: 'error', code, message });
  }
}
