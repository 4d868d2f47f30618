/**
 * The scope: what is known about one connection (WebSocket) or request (HTTP) before any event
 * flows, as in ASGI. Middleware adds to it by passing a copy down, never by mutation, so every
 * field is readonly.
 */

/** One header: lower-case name and value, in the order the client sent them. */
export type Header = readonly [name: string, value: string];

/** A `[host, port]` pair, as ASGI's `client` and `server`. */
export type HostPort = readonly [host: string, port: number];

interface ScopeBase {
  /** The decoded path, e.g. `/ws/chat/lobby/`. */
  readonly path: string;
  /** The path exactly as it appeared on the request line, without the query string. */
  readonly rawPath: string;
  /** The query string without the leading `?`, undecoded. */
  readonly queryString: string;
  readonly headers: readonly Header[];
  readonly scheme: 'http' | 'https' | 'ws' | 'wss';
  readonly client: HostPort | null;
  readonly server: HostPort | null;
}

export interface HttpScope extends ScopeBase {
  readonly type: 'http';
  /** Upper-case method, e.g. `GET`. */
  readonly method: string;
  readonly httpVersion: string;
}

export interface WebSocketScope extends ScopeBase {
  readonly type: 'websocket';
  /** Subprotocols the client offered in `Sec-WebSocket-Protocol`, in order. */
  readonly subprotocols: readonly string[];
}

export type Scope = HttpScope | WebSocketScope;

/** What `urlRouter` adds: positional (`args`) and named (`kwargs`) captures. */
export interface UrlRoute {
  readonly args: readonly string[];
  readonly kwargs: Readonly<Record<string, string>>;
}

export interface WithUrlRoute {
  readonly urlRoute: UrlRoute;
}

/** What `cookieMiddleware` adds: the request's cookies by name. */
export interface WithCookies {
  readonly cookies: Readonly<Record<string, string>>;
}

/**
 * A session: a small key-value store sealed into a cookie. Reads and writes are synchronous
 * (the session middleware has unsealed it before the application runs); `save()` seals it.
 */
export interface Session {
  /** A random id, stable for the session's life; `cycleId()` replaces it. */
  readonly id: string;
  /** True once anything was set, deleted, flushed or cycled since the session was loaded. */
  readonly isModified: boolean;
  readonly isEmpty: boolean;
  get<T = unknown>(key: string): T | undefined;
  set(key: string, value: unknown): void;
  delete(key: string): void;
  has(key: string): boolean;
  /** Empties the session and gives it a new id. */
  flush(): void;
  /** Keeps the data under a new id (defeats session fixation). */
  cycleId(): void;
  /** Seals the session; over HTTP it is sent as Set-Cookie, inside a socket as `session.updated`. */
  save(): Promise<void>;
}

/** What `sessionMiddleware` adds. */
export interface WithSession {
  readonly session: Session;
}

/** An application's user: anything with an `id`. */
export interface User {
  readonly id: string | number;
  /**
   * Changes whenever the user's credentials change; sessions that stored another value are
   * ended (Django's `get_session_auth_hash`).
   */
  readonly sessionAuthHash?: string;
}

export type AuthenticatedUser<U extends User = User> = U & { readonly isAuthenticated: true };

export interface AnonymousUser {
  readonly id: null;
  readonly isAuthenticated: false;
}

export type ScopeUser<U extends User = User> = AuthenticatedUser<U> | AnonymousUser;

/** What `authMiddleware` adds. */
export interface WithUser<U extends User = User> {
  readonly user: ScopeUser<U>;
}
