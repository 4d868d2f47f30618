/**
 * `createClient`'s options, their defaults, and the checks that turn a wrong option into an
 * error that says how to fix it, before any socket is opened.
 */
import { ClientErrorCode, WsgateClientError } from './client-error.js';
import type { WebSocketConstructor } from './websocket-like.js';
import { defaultWebSocket } from './websocket-like.js';

/** How the client reconnects after a connection is lost. */
export interface ReconnectOptions {
  /**
   * Ceiling of the first delay; attempt n waits a random time in `[0, min(capMs, baseMs * 2^n))`.
   * @default 500
   */
  readonly baseMs?: number;
  /**
   * No delay is longer.
   * @default 30000
   */
  readonly capMs?: number;
  /**
   * A connection open this long counts as stable: the backoff starts over, and a later 4401
   * may trigger another session refresh.
   * @default 5000
   */
  readonly stableAfterMs?: number;
  /**
   * The jitter's source, a number in `[0, 1)`; inject one to make delays predictable in tests.
   * @default Math.random
   */
  readonly random?: () => number;
}

export interface ClientOptions {
  /**
   * The WebSocket URL. `http(s)://` is accepted and means `ws(s)://`; in a browser a relative
   * URL (`/ws/chat/`) is resolved against the page.
   */
  readonly url: string | URL;
  /**
   * Where `session.updated` tickets are exchanged for the session cookie; `false` ignores
   * tickets (the cookie then never follows sessions saved inside the socket).
   * @default '/wsgate/session' on the url's host, with http(s) for ws(s)
   */
  readonly sessionEndpoint?: string | URL | false;
  /**
   * `false` never reconnects: any close ends the client.
   * @default true (with the ReconnectOptions defaults)
   */
  readonly reconnect?: boolean | ReconnectOptions;
  /**
   * How often to send `session.ping`; 0 sends none.
   * @default 25000
   */
  readonly heartbeatMs?: number;
  /**
   * How long the server may stay silent after a ping before the link counts as dead and is
   * replaced.
   * @default 10000
   */
  readonly heartbeatTimeoutMs?: number;
  /**
   * How long `login()`, `logout()`, `whoami()` and `refresh()` (and the handshake after each
   * connect) wait for their answer, including time spent waiting for a connection.
   * @default 10000
   */
  readonly requestTimeoutMs?: number;
  /**
   * How many messages `send()` queues while not connected; more are dropped with an `error`.
   * @default 100
   */
  readonly queueLimit?: number;
  /**
   * When to refresh the session, as a fraction of its remaining life at `session.updated`.
   * @default 0.8
   */
  readonly refreshAt?: number;
  /**
   * Node only (browsers cannot set handshake headers): sent with every handshake and ticket
   * exchange, e.g. `{ origin: 'https://app.example', cookie: 'wsgate.session=…' }`. A `cookie`
   * here seeds the client's cookie jar, which then follows the session endpoint's Set-Cookie.
   * @default {}
   */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * The WebSocket class to use.
   * @default isomorphic-ws: the browser's WebSocket, or `ws` in Node
   */
  readonly WebSocket?: WebSocketConstructor;
  /**
   * Coordinate with other tabs of the same origin: share logouts and revocations, and refresh
   * one tab at a time.
   * @default true in a browser page with BroadcastChannel, false elsewhere (Node)
   */
  readonly crossTab?: boolean;
}

/** Every option filled in and checked. */
export interface ResolvedOptions {
  readonly url: string;
  readonly sessionEndpoint: string | undefined;
  readonly reconnect: boolean;
  readonly baseMs: number;
  readonly capMs: number;
  readonly stableAfterMs: number;
  readonly random: () => number;
  readonly heartbeatMs: number;
  readonly heartbeatTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly queueLimit: number;
  readonly refreshAt: number;
  /** Handshake and ticket-exchange headers, names lower-cased, without `cookie`. */
  readonly headers: Readonly<Record<string, string>>;
  /** The `cookie` header the caller supplied, seed of the cookie jar. */
  readonly cookie: string;
  readonly WebSocket: WebSocketConstructor;
  readonly crossTab: boolean;
}

function invalid(message: string): WsgateClientError {
  return new WsgateClientError(ClientErrorCode.invalidOption, message);
}

function duration(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw invalid(`${name} must be a finite number of milliseconds >= 0, got ${String(value)}`);
  }
  return value;
}

function pageUrl(): string | undefined {
  return (globalThis as { location?: Location }).location?.href;
}

function socketUrl(input: string | URL): string {
  let url: URL;
  try {
    url = new URL(input, pageUrl());
  } catch {
    throw invalid(`url '${String(input)}' is not a URL; pass e.g. 'wss://app.example/ws/'`);
  }
  const schemes: Record<string, string> = {
    'ws:': 'ws:',
    'wss:': 'wss:',
    'http:': 'ws:',
    'https:': 'wss:',
  };
  const protocol = schemes[url.protocol];
  if (!protocol) throw invalid(`url must use ws:, wss:, http: or https:, got '${url.protocol}'`);
  url.protocol = protocol;
  return url.href;
}

function endpointUrl(option: string | URL | false | undefined, socket: string): string | undefined {
  if (option === false) return undefined;
  const base = new URL(socket);
  base.protocol = base.protocol === 'wss:' ? 'https:' : 'http:';
  try {
    return new URL(option ?? '/wsgate/session', base).href;
  } catch {
    throw invalid(`sessionEndpoint '${String(option)}' is not a URL`);
  }
}

function splitHeaders(headers: Readonly<Record<string, string>>): {
  headers: Record<string, string>;
  cookie: string;
} {
  const result: Record<string, string> = {};
  let cookie = '';
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== 'string') throw invalid(`headers.${name} must be a string`);
    if (name.toLowerCase() === 'cookie') cookie = value;
    else result[name.toLowerCase()] = value;
  }
  return { headers: result, cookie };
}

function isBrowserPage(): boolean {
  const runtime = globalThis as { document?: unknown; BroadcastChannel?: unknown };
  return runtime.document !== undefined && typeof runtime.BroadcastChannel === 'function';
}

/**
 * Fills in defaults and checks every option; throws `INVALID_OPTION` with the fix.
 *
 * @example
 * resolveOptions({ url: 'http://127.0.0.1:8000/ws/' }).url; // 'ws://127.0.0.1:8000/ws/'
 */
export function resolveOptions(options: ClientOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null || options.url === undefined) {
    throw invalid(
      "createClient needs { url }, e.g. createClient({ url: 'wss://app.example/ws/' })",
    );
  }
  const url = socketUrl(options.url);
  const reconnect = options.reconnect ?? true;
  const backoff = typeof reconnect === 'object' ? reconnect : {};
  const random = backoff.random ?? Math.random;
  if (typeof random !== 'function') throw invalid('reconnect.random must be a function');
  const queueLimit = options.queueLimit ?? 100;
  if (!Number.isInteger(queueLimit) || queueLimit < 0) {
    throw invalid(`queueLimit must be an integer >= 0, got ${String(queueLimit)}`);
  }
  const refreshAt = options.refreshAt ?? 0.8;
  if (typeof refreshAt !== 'number' || !(refreshAt > 0 && refreshAt < 1)) {
    throw invalid(
      `refreshAt must be a fraction between 0 and 1 (exclusive), got ${String(refreshAt)}`,
    );
  }
  const WebSocket = options.WebSocket ?? defaultWebSocket();
  if (typeof WebSocket !== 'function') {
    throw invalid('no WebSocket implementation found; pass one as the WebSocket option');
  }
  return {
    url,
    sessionEndpoint: endpointUrl(options.sessionEndpoint, url),
    reconnect: reconnect !== false,
    baseMs: duration('reconnect.baseMs', backoff.baseMs, 500),
    capMs: duration('reconnect.capMs', backoff.capMs, 30_000),
    stableAfterMs: duration('reconnect.stableAfterMs', backoff.stableAfterMs, 5_000),
    random,
    heartbeatMs: duration('heartbeatMs', options.heartbeatMs, 25_000),
    heartbeatTimeoutMs: duration('heartbeatTimeoutMs', options.heartbeatTimeoutMs, 10_000),
    requestTimeoutMs: duration('requestTimeoutMs', options.requestTimeoutMs, 10_000),
    queueLimit,
    refreshAt,
    ...splitHeaders(options.headers ?? {}),
    WebSocket,
    crossTab: options.crossTab ?? isBrowserPage(),
  };
}
