/**
 * The client's public shape: its states, its events and their payloads, and its methods.
 */
import type { WireUser } from '@wsgate/shared';
import type { WsgateClientError } from './client-error.js';
import type { OutgoingData } from './send-queue.js';

/**
 * `connecting`: the first connection is being made. `open`: connected and the server answered
 * the handshake. `reconnecting`: the connection was lost and another is on its way (or waits
 * for its backoff delay, or for the browser to come back online). `closed`: no more
 * reconnecting, after `close()` or a close code the client cannot fix; `connect()` restarts.
 */
export type ClientState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** What `send()` did with a message. `dropped` is always accompanied by an `error` event. */
export type SendResult = 'sent' | 'queued' | 'dropped';

/** Every event and its payload. */
export interface ClientEvents {
  /** Connected, handshake answered, queued messages sent; `user` is who the server sees. */
  readonly open: { readonly user: WireUser | null };
  /**
   * A connection attempt ended (also one that never opened). `willReconnect` tells whether
   * another follows; `reconnecting` then tells when.
   */
  readonly close: {
    readonly code: number;
    readonly reason: string;
    readonly willReconnect: boolean;
  };
  /**
   * The next connection attempt was scheduled: after a lost connection (state `reconnecting`),
   * and at once on `connect()`. `attempt` counts from 1 and starts over once a connection
   * stayed open `stableAfterMs`. `delayMs` is how long the client waits: the jittered backoff,
   * the server's `retryAfterMs` after 4429, or 0 (after 4401, when the browser comes back
   * online, on `connect()`). `retryAt` is when the wait ends, in ms since the epoch, as
   * `Date.now()` counts. While the browser is offline both are null: the attempt waits for the
   * network, and is announced again, with `delayMs: 0`, when it comes back. This is Socket.IO's
   * `reconnect_attempt`, told before the wait rather than after it; `reconnect_failed` is the
   * `state` event to `closed`, which also says the client will not try again.
   *
   * @example
   * client.on('reconnecting', ({ attempt, retryAt }) => {
   *   if (retryAt === null) return show('Waiting for the network…');
   *   show(`Attempt ${attempt} in ${Math.ceil((retryAt - Date.now()) / 1000)} s`);
   * });
   */
  readonly reconnecting: {
    readonly attempt: number;
    readonly delayMs: number | null;
    readonly retryAt: number | null;
  };
  /**
   * An application frame: text as a string, binary as an ArrayBuffer; never a control frame.
   * On a new connection the server's first frames may arrive just before `open`.
   */
  readonly message: string | ArrayBuffer;
  /** The user changed: logged in, logged out, revoked, expired, or different after a reconnect. */
  readonly user: WireUser | null;
  /** The session was revoked (`auth.revoked`, close 4403, or a logout in another tab). */
  readonly revoked: { readonly reason: string };
  /** The session expired (`auth.expired`, or 4401 again after a refresh). */
  readonly expired: { readonly reason: string };
  readonly state: { readonly state: ClientState; readonly previous: ClientState };
  /**
   * Something failed that no promise reports: a dropped message, a refused ticket, a terminal
   * close code, an `error` frame or a malformed frame from the server. Without a listener,
   * errors are written to `console.warn` rather than lost.
   */
  readonly error: WsgateClientError;
}

/**
 * A reconnecting wsgate connection with in-socket login and session refresh.
 *
 * @example
 * const client = createClient({ url: 'wss://app.example/ws/chat/' });
 * client.on('message', (data) => render(data));
 * const user = await client.login({ username: 'ada', password: 'secret' });
 * client.sendJson({ type: 'chat.message', text: `hello from ${String(user.id)}` });
 */
export interface WsgateClient {
  readonly state: ClientState;
  /** Who the server sees on this connection, as of the last answer; null when anonymous. */
  readonly user: WireUser | null;
  /**
   * When the scheduled connection attempt is made, in ms since the epoch: the `retryAt` of the
   * last `reconnecting` event while that attempt waits. Null when no attempt waits for a time:
   * connected, an attempt under way, the session refresh that comes first after 4401, offline,
   * or closed.
   *
   * @default null
   * @example
   * const seconds = client.nextRetryAt === null ? 0 : (client.nextRetryAt - Date.now()) / 1000;
   */
  readonly nextRetryAt: number | null;
  /** Adds a listener; returns the function that removes it. */
  on<E extends keyof ClientEvents>(
    event: E,
    listener: (payload: ClientEvents[E]) => void,
  ): () => void;
  off<E extends keyof ClientEvents>(event: E, listener: (payload: ClientEvents[E]) => void): void;
  /** Sends now when open, queues while (re)connecting, drops (with an `error`) when full or closed. */
  send(data: OutgoingData): SendResult;
  /** `send(JSON.stringify(value))`; refuses values whose `type` is reserved for the protocol. */
  sendJson(value: unknown): SendResult;
  /** Logs in on this socket; resolves once the session cookie was updated too. */
  login(credentials: unknown): Promise<WireUser>;
  logout(): Promise<void>;
  whoami(): Promise<WireUser | null>;
  /** Extends the session now (the client also does this before it runs out). */
  refresh(): Promise<void>;
  /** Starts again after the client was closed; does nothing otherwise. */
  connect(): void;
  /** Closes for good: pending requests reject, queued messages are handed back in an `error`. */
  close(code?: number, reason?: string): void;
}
