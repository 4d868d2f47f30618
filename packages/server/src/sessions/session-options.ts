import type { CookieAttributes, SameSite } from '../cookies/set-cookie.js';
import { setCookie } from '../cookies/set-cookie.js';
import { ServerErrorCode, WsgateError } from '../errors.js';
import type { ChannelLayer } from '../layers/channel-layer.js';
import type { Logger } from '../logger.js';
import { sharedRevocationStore } from './in-memory-revocation-store.js';
import type { RevocationStore } from './revocation-store.js';
import { processRevocationLayer } from './revocation-notice.js';
import { createSessionCodec } from './session-codec.js';
import type { SessionCodec, SessionPassword } from './session-codec.js';
import { UnsealCache } from './unseal-cache.js';

/**
 * The session cookie's attributes.
 *
 * @example
 * sessionMiddlewareStack(app, {
 *   password,
 *   cookie: { secure: true, sameSite: 'strict', domain: 'example.com' },
 * });
 */
export interface SessionCookieOptions {
  /** Send the cookie over HTTPS only. @default true when the request came over https or wss */
  readonly secure?: boolean;
  /** @default 'lax' */
  readonly sameSite?: SameSite | Capitalize<SameSite>;
  /** The host and its subdomains that get the cookie. @default this host only */
  readonly domain?: string;
  /** @default '/' */
  readonly path?: string;
  /** Hide the cookie from page scripts. @default true */
  readonly httpOnly?: boolean;
}

/**
 * Options of `sessionMiddleware` (and the `session` of `authMiddlewareStack`).
 *
 * @example
 * const session: SessionOptions = {
 *   password: { 1: process.env.OLD_SESSION_PASSWORD!, 2: process.env.SESSION_PASSWORD! },
 *   ttl: 7 * 24 * 3600,
 *   revocationStore: new RedisRevocationStore(redis),
 *   channelLayer, // the consumers' layer: logouts reach sockets on every node
 * };
 */
export interface SessionOptions {
  /**
   * At least 32 characters, or `{ 1: old, 2: new }` to rotate: the highest id seals, every id
   * opens. A single string is id 1, so moving to a map keeps existing sessions.
   */
  readonly password: SessionPassword;
  /** @default 'wsgate.session' */
  readonly cookieName?: string;
  /** Seconds a saved session stays valid; every save starts it again. @default 1209600 (14 days) */
  readonly ttl?: number;
  readonly cookie?: SessionCookieOptions;
  /** Opened sessions kept by seal, so reconnects skip the unseal; 0 disables. @default 10000 */
  readonly cacheSize?: number;
  /**
   * Where logout records ended sessions. Pass a shared one (Redis) when several processes serve
   * the same sessions.
   * @default an InMemoryRevocationStore shared by every session middleware in this process that
   *   has the same password(s)
   */
  readonly revocationStore?: RevocationStore;
  /**
   * Where logout announces a revoked session, so that its open sockets (behind
   * `socketAuthMiddleware`, which listens on the same layer through the session) hear it at
   * once. Pass the layer your consumers use when several processes serve the same sessions.
   * @default one InMemoryChannelLayer per process
   */
  readonly channelLayer?: ChannelLayer;
  /**
   * Where an outage of the revocation store is reported: once as requests start being refused,
   * once as the store answers again. @default defaultLogger
   */
  readonly logger?: Logger;
}

/** Validated options with their defaults and the objects built from them. */
export interface SessionSettings {
  readonly codec: SessionCodec;
  readonly cookieName: string;
  readonly ttl: number;
  /** The cookie's attributes; `secure` undefined means "when the scheme is https or wss". */
  readonly cookie: Omit<CookieAttributes, 'maxAge' | 'expires'>;
  readonly cache: UnsealCache;
  readonly revocationStore: RevocationStore;
  readonly channelLayer: ChannelLayer;
}

function invalid(message: string): WsgateError {
  return new WsgateError(ServerErrorCode.invalidOption, `sessionMiddleware: ${message}`);
}

function isChannelLayer(value: unknown): value is ChannelLayer {
  const layer = value as Partial<ChannelLayer> | null;
  return ['newChannel', 'receive', 'groupAdd', 'groupDiscard', 'groupSend'].every(
    (method) => typeof layer?.[method as keyof ChannelLayer] === 'function',
  );
}

function isRevocationStore(value: unknown): value is RevocationStore {
  const store = value as Partial<RevocationStore> | null;
  return typeof store?.revoke === 'function' && typeof store.isRevoked === 'function';
}

/**
 * Checks every option now, at construction, so a misconfiguration fails at startup with a
 * message saying what to change, never on a user's request.
 */
export function resolveSessionOptions(options: SessionOptions): SessionSettings {
  if (typeof options !== 'object' || options === null) {
    throw invalid('options are required: sessionMiddleware(app, { password })');
  }
  const {
    password,
    cookieName = 'wsgate.session',
    ttl = 1_209_600,
    cookie = {},
    cacheSize = 10_000,
    revocationStore: givenStore,
    channelLayer,
  } = options;
  if (!Number.isSafeInteger(ttl) || ttl <= 0) {
    throw invalid(`ttl is a whole, positive number of seconds, not ${String(ttl)}`);
  }
  if (!Number.isSafeInteger(cacheSize) || cacheSize < 0) {
    throw invalid(`cacheSize is a whole number of entries (0 disables), not ${String(cacheSize)}`);
  }
  if (givenStore !== undefined && !isRevocationStore(givenStore)) {
    throw invalid('revocationStore needs revoke(sessionId, ttlSeconds) and isRevoked(sessionId)');
  }
  if (channelLayer !== undefined && !isChannelLayer(channelLayer)) {
    throw invalid('channelLayer must be a ChannelLayer, e.g. new InMemoryChannelLayer()');
  }
  if (typeof cookieName !== 'string' || cookieName === '') {
    throw invalid('cookieName must be a non-empty string');
  }
  const attributes = {
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    ...cookie,
  };
  // A dry run: the cookie helpers reject a bad name, a bad domain, or sameSite 'none' (and
  // __Host-/__Secure- names) without secure: true, which browsers would drop silently.
  setCookie([], cookieName, 'x', { ...attributes, secure: attributes.secure ?? false });
  const codec = createSessionCodec(password);
  return {
    codec,
    cookieName,
    ttl,
    cookie: attributes,
    cache: new UnsealCache(cacheSize),
    revocationStore: givenStore ?? sharedRevocationStore(codec.passwordSetId),
    channelLayer: channelLayer ?? processRevocationLayer(),
  };
}
