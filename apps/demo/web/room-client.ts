import { createClient } from '@wsgate/client';
import type { WireUser, WsgateClient, WsgateClientError } from '@wsgate/client';
import type { PresenceFrame } from '../src/room-presence.js';
import { ReconnectCountdown } from './reconnect-countdown.js';

/** A chat message, as the room's consumer sends it. */
export interface ChatLine {
  readonly id: string;
  readonly from: string;
  readonly text: string;
  readonly at: number;
}

/** What the page shows about the connection. */
export type Connection =
  | { readonly state: 'connecting' | 'online' | 'offline' }
  | { readonly state: 'reconnecting'; readonly retryAt: number | null };

/** What a room's socket tells the page. */
export interface RoomHandlers {
  connection(connection: Connection): void;
  user(user: WireUser | null): void;
  message(line: ChatLine): void;
  presence(frame: PresenceFrame): void;
  /** The session ended elsewhere: a logout in another tab, "log out everywhere", expiry. */
  signedOut(reason: string): void;
  error(error: WsgateClientError): void;
}

type Frame =
  | ({ readonly type: 'message' } & ChatLine)
  | PresenceFrame
  | { readonly type: 'signed-out'; readonly reason: string };

function parseFrame(data: string | ArrayBuffer): Frame | null {
  try {
    if (typeof data === 'string') return JSON.parse(data) as Frame;
  } catch {
    // The room only sends JSON; anything else is a bug worth seeing, not worth a crash.
  }
  console.warn('wsgate chat: ignored a frame that is not a JSON message', data);
  return null;
}

const backoff = { baseMs: 500, capMs: 10_000, stableAfterMs: 5_000 };

/** An open room: its client, and what the page may do with it. */
export interface RoomSocket {
  readonly client: WsgateClient;
  /** Starts again after the client gave up (offline). */
  retry(): void;
  /** Closes for good (leaving the room). */
  close(): void;
}

/**
 * Opens `room`'s socket (`/ws/chat/<room>/`) with the wsgate client, which reconnects, keeps
 * the session cookie in step and shares logouts between tabs, and turns what it hears into
 * `handlers` calls.
 *
 * @example
 * const { client, close } = openRoom('lobby', handlers);
 * client.sendJson({ type: 'say', text: 'hello' });
 */
export function openRoom(room: string, handlers: RoomHandlers): RoomSocket {
  const countdown = new ReconnectCountdown(backoff);
  const client = createClient({
    url: `/ws/chat/${encodeURIComponent(room)}/`,
    reconnect: { ...backoff, random: countdown.random },
  });
  const stops = [
    client.on('state', ({ state }) => {
      if (state === 'open') handlers.connection({ state: 'online' });
      else if (state === 'connecting') handlers.connection({ state: 'connecting' });
      else if (state === 'closed') handlers.connection({ state: 'offline' });
    }),
    client.on('open', ({ user }) => {
      countdown.opened();
      handlers.user(user);
    }),
    client.on('close', ({ willReconnect }) => {
      if (willReconnect)
        handlers.connection({ state: 'reconnecting', retryAt: countdown.closed() });
    }),
    client.on('user', (user) => handlers.user(user)),
    client.on('revoked', ({ reason }) => handlers.signedOut(reason)),
    client.on('expired', () => handlers.signedOut('your session expired')),
    client.on('error', (error) => handlers.error(error)),
    client.on('message', (data) => {
      const frame = parseFrame(data);
      if (frame === null) return;
      if (frame.type === 'message') handlers.message(frame);
      else if (frame.type === 'presence') handlers.presence(frame);
      else if (frame.type === 'signed-out') {
        handlers.signedOut(frame.reason);
        // The server signed this socket out; ask it, so that `client.user` agrees.
        client.whoami().catch(() => undefined);
      }
    }),
  ];
  return {
    client,
    retry() {
      countdown.reset();
      client.connect();
    },
    close() {
      for (const stop of stops) stop();
      countdown.stop();
      client.close();
    },
  };
}
