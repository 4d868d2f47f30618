import { createClient } from '@wsgate/client';
import type { WireUser, WsgateClient, WsgateClientError } from '@wsgate/client';
import type { PresenceFrame } from '../src/room-presence.js';

/** A chat message, as the room's consumer sends it. */
export interface ChatLine {
  readonly id: string;
  readonly from: string;
  readonly text: string;
  readonly at: number;
}

/** What the page shows about the connection; `retryAt` is when the client tries again. */
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

/** The client's state in the page's words, with the client's own time of its next attempt. */
function connectionOf(client: WsgateClient): Connection {
  switch (client.state) {
    case 'connecting':
      return { state: 'connecting' };
    case 'open':
      return { state: 'online' };
    case 'reconnecting':
      return { state: 'reconnecting', retryAt: client.nextRetryAt };
    case 'closed':
      return { state: 'offline' };
  }
}

/** An open room: its client (`client.connect()` starts again after it gave up), and close. */
export interface RoomSocket {
  readonly client: WsgateClient;
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
  const client = createClient({
    url: `/ws/chat/${encodeURIComponent(room)}/`,
    // A restarted server is found within 10 s, not the default 30.
    reconnect: { capMs: 10_000 },
  });
  const showConnection = (): void => handlers.connection(connectionOf(client));
  const stops = [
    client.on('state', showConnection),
    // Each attempt's time, once scheduled: the countdown.
    client.on('reconnecting', showConnection),
    client.on('open', ({ user }) => handlers.user(user)),
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
    close() {
      for (const stop of stops) stop();
      client.close();
    },
  };
}
