import type {
  AuthenticatedUser,
  User,
  WebSocketScope,
  WireUser,
  WithSession,
  WithUser,
} from '@wsgate/shared';
import { ServerErrorCode, WsgateError } from '../errors.js';
import { LoginThrottle } from '../limits/login-throttle.js';
import { Semaphore } from '../limits/semaphore.js';
import { defaultLogger } from '../logger.js';
import type { Logger } from '../logger.js';
import { maxTicketTtlSeconds } from './ticket-codec.js';

/**
 * The scope `authenticate` is given: the socket's, as the auth stack made it.
 *
 * @example
 * const authenticate = (credentials: unknown, scope: SocketAuthScope<AppUser>) =>
 *   checkPassword(credentials, { address: scope.client?.[0] });
 */
export type SocketAuthScope<U extends User = User> = WebSocketScope & WithSession & WithUser<U>;

/**
 * Checks credentials from `auth.login`: the user, or null when they are wrong. Give an unknown
 * user and a wrong password the same cost (hash a dummy password), so timing does not tell
 * which accounts exist.
 *
 * @example
 * const authenticate: Authenticate<AppUser> = async (credentials) => {
 *   const { username, password } = credentials as { username?: unknown; password?: unknown };
 *   if (typeof username !== 'string' || typeof password !== 'string') return null;
 *   const user = await db.users.findByName(username);
 *   const ok = await verifyPassword(password, user?.passwordHash ?? dummyHash);
 *   return ok && user ? user : null;
 * };
 */
export type Authenticate<U extends User = User> = (
  credentials: unknown,
  scope: SocketAuthScope<U>,
) => U | null | undefined | Promise<U | null | undefined>;

/**
 * Options of `socketAuthMiddleware`.
 *
 * @example
 * socketAuthMiddleware(router, {
 *   authenticate,
 *   serializeUser: (user) => ({ id: user.id, name: user.displayName }),
 *   onRevoked: 'close',
 * });
 */
export interface SocketAuthOptions<U extends User = User> {
  readonly authenticate: Authenticate<U>;
  /**
   * What the client is told about a user (`auth.result {user}`). Only the id by default, so
   * that no field (a password hash, an email) reaches the wire unless you choose it.
   * @default (user) => ({ id: user.id })
   */
  readonly serializeUser?: (user: AuthenticatedUser<U>) => WireUser;
  /**
   * The account a login names, for the throttle: null when the credentials name none.
   * @default a string `username`, else `email`, trimmed and lower-cased
   */
  readonly accountKey?: (credentials: unknown) => string | null;
  /**
   * Counts failed logins per account and per client address, across sockets and reconnects; a
   * locked login gets `auth.error {code: 4429, retryAfterMs}` and the close 4429. Share one
   * between middleware that log in the same users; `false` turns throttling off.
   * @default new LoginThrottle() (5 failures per account, 20 per address, then lockouts)
   */
  readonly loginThrottle?: LoginThrottle | false;
  /**
   * Bounds concurrent `authenticate` calls, so a login flood cannot fill libuv's thread pool
   * that every handshake's unseal needs. A login that finds its queue full is answered
   * `RATE_LIMITED` and the socket stays open.
   * @default new Semaphore(2, { maxQueued: 100 })
   */
  readonly authenticateLimit?: Semaphore;
  /**
   * When the session's TTL runs out on a live socket: `'anonymous'` sends `auth.expired` and
   * the socket carries on anonymous; `'close'` sends `auth.error` and closes 4401.
   * @default 'anonymous'
   */
  readonly onExpiry?: 'anonymous' | 'close';
  /**
   * When the session is logged out elsewhere, or its user was deleted or changed credentials:
   * `'anonymous'` sends `auth.revoked` and carries on anonymous; `'close'` sends `auth.error`
   * and closes 4403 (the client does not reconnect).
   * @default 'anonymous'
   */
  readonly onRevoked?: 'anonymous' | 'close';
  /**
   * How often a logged-in socket loads its user again (`getUser`), to catch deleted users,
   * changed `sessionAuthHash` and revocations whose notice was lost; 0 turns it off.
   * @default 300000 (5 minutes)
   */
  readonly reverifyIntervalMs?: number;
  /**
   * How long before the session expires the client gets `session.expiring` (time to refresh).
   * @default the smaller of 60 s and a tenth of the session TTL
   */
  readonly expiringNoticeMs?: number;
  /**
   * How long a `session.updated` ticket can be exchanged for the cookie; at most 60.
   * @default 60
   */
  readonly ticketTtlSeconds?: number;
  /**
   * A socket that sends this many malformed or unknown control messages within
   * `invalidFrameWindowMs` is closed 4400 (`auth.error` first); the ones before are each
   * answered with `error`.
   * @default 10
   */
  readonly maxInvalidFrames?: number;
  /** @default 60000 */
  readonly invalidFrameWindowMs?: number;
  /** Where failures of `authenticate`, `loadUser` and the channel layer are logged. @default defaultLogger */
  readonly logger?: Logger;
}

/** Options with their defaults; `expiringNoticeMs` stays undefined when it depends on the TTL. */
export interface SocketAuthSettings<U extends User = User> {
  readonly authenticate: Authenticate<U>;
  readonly serializeUser: (user: AuthenticatedUser<U>) => WireUser;
  readonly accountKey: (credentials: unknown) => string | null;
  readonly loginThrottle: LoginThrottle | null;
  readonly authenticateLimit: Semaphore;
  readonly onExpiry: 'anonymous' | 'close';
  readonly onRevoked: 'anonymous' | 'close';
  readonly reverifyIntervalMs: number;
  readonly expiringNoticeMs: number | undefined;
  readonly ticketTtlSeconds: number;
  readonly maxInvalidFrames: number;
  readonly invalidFrameWindowMs: number;
  readonly logger: Logger;
}

function invalid(message: string): WsgateError {
  return new WsgateError(ServerErrorCode.invalidOption, `socketAuthMiddleware: ${message}`);
}

/** The name a login tries, from `username` or `email`, as most login forms send it. */
export function defaultAccountKey(credentials: unknown): string | null {
  const { username, email } = (
    typeof credentials === 'object' && credentials !== null ? credentials : {}
  ) as { username?: unknown; email?: unknown };
  const name = typeof username === 'string' ? username : email;
  return typeof name === 'string' && name.trim() !== '' ? name.trim().toLowerCase() : null;
}

const idOnly = (user: User): WireUser => ({ id: user.id });

function duration(name: string, value: number, min: number, max = Infinity): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Infinity ? `>= ${min}` : `${min} to ${max}`;
    throw invalid(`${name} is a whole number ${range}, not ${String(value)}`);
  }
  return value;
}

function choice(name: string, value: string): 'anonymous' | 'close' {
  if (value === 'anonymous' || value === 'close') return value;
  throw invalid(`${name} is 'anonymous' or 'close', not ${JSON.stringify(value)}`);
}

/**
 * Checks every option at construction, so a mistake fails at startup with the fix, never on a
 * user's login.
 */
export function resolveSocketAuthOptions<U extends User>(
  options: SocketAuthOptions<U>,
): SocketAuthSettings<U> {
  if (typeof options?.authenticate !== 'function') {
    throw invalid(
      'options need { authenticate: (credentials, scope) => user | null }, which checks the credentials of auth.login',
    );
  }
  for (const name of ['serializeUser', 'accountKey'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') {
      throw invalid(`${name} must be a function`);
    }
  }
  const {
    loginThrottle = new LoginThrottle(),
    authenticateLimit = new Semaphore(2, { maxQueued: 100 }),
    ticketTtlSeconds = maxTicketTtlSeconds,
  } = options;
  if (loginThrottle !== false && typeof loginThrottle?.check !== 'function') {
    throw invalid('loginThrottle must be a LoginThrottle, or false to turn throttling off');
  }
  if (typeof authenticateLimit?.run !== 'function') {
    throw invalid('authenticateLimit must be a Semaphore, e.g. new Semaphore(2)');
  }
  return {
    authenticate: options.authenticate,
    serializeUser: options.serializeUser ?? idOnly,
    accountKey: options.accountKey ?? defaultAccountKey,
    loginThrottle: loginThrottle === false ? null : loginThrottle,
    authenticateLimit,
    onExpiry: choice('onExpiry', options.onExpiry ?? 'anonymous'),
    onRevoked: choice('onRevoked', options.onRevoked ?? 'anonymous'),
    reverifyIntervalMs: duration('reverifyIntervalMs', options.reverifyIntervalMs ?? 300_000, 0),
    expiringNoticeMs:
      options.expiringNoticeMs === undefined
        ? undefined
        : duration('expiringNoticeMs', options.expiringNoticeMs, 0),
    ticketTtlSeconds: duration('ticketTtlSeconds', ticketTtlSeconds, 1, maxTicketTtlSeconds),
    maxInvalidFrames: duration('maxInvalidFrames', options.maxInvalidFrames ?? 10, 1),
    invalidFrameWindowMs: duration(
      'invalidFrameWindowMs',
      options.invalidFrameWindowMs ?? 60_000,
      1,
    ),
    logger: options.logger ?? defaultLogger,
  };
}

/** The notice option, or its default: a minute, or a tenth of a short TTL. */
export function expiringNoticeFor(option: number | undefined, ttlSeconds: number): number {
  return option ?? Math.min(60_000, ttlSeconds * 100);
}
