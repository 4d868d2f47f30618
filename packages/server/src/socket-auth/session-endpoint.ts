import type { Application, Header, HttpScope, Receive, Send } from '@wsgate/shared';
import { readCookies } from '../cookies/cookie-middleware.js';
import { ServerErrorCode, WsgateError } from '../errors.js';
import { defaultLogger } from '../logger.js';
import type { Logger } from '../logger.js';
import { compileOriginPattern, parseOrigin } from '../security/origin-pattern.js';
import type { OriginPattern } from '../security/origin-pattern.js';
import { unsealSession } from '../sessions/seal-session.js';
import {
  clearedSessionCookieHeader,
  isSecureCookie,
  sessionCookieHeader,
} from '../sessions/session-cookie.js';
import { resolveSessionOptions } from '../sessions/session-options.js';
import type { SessionOptions, SessionSettings } from '../sessions/session-options.js';
import { unavailableReply } from '../unavailable-reply.js';
import { EndpointRefusal, readTicketBody, respond, singleHeader } from './endpoint-http.js';
import { maxTicketTtlSeconds, openTicket } from './ticket-codec.js';
import type { Ticket } from './ticket-codec.js';

/**
 * Options of `sessionEndpoint`.
 *
 * @example
 * sessionEndpoint({ session, allowedOrigins: ['https://app.example.com'] });
 */
export interface SessionEndpointOptions {
  /** The same session options as the socket's `authMiddlewareStack` (password, cookie...). */
  readonly session: SessionOptions;
  /**
   * Pages that may exchange tickets, as `originValidator` patterns (`https://a.com`, `.a.com`,
   * ...). Other origins in the list also get CORS headers with credentials.
   * @default the endpoint's own origin: the Origin's host and port must be the Host header's
   */
  readonly allowedOrigins?: readonly string[];
  /** Tickets issued longer ago than this are refused; at most 60. @default 60 */
  readonly ticketTtlSeconds?: number;
  /** Where refusals are logged, at debug level. @default defaultLogger */
  readonly logger?: Logger;
}

function refuse(status: number, code: string, message: string): never {
  throw new EndpointRefusal(status, code, message);
}

/** The request's Origin, checked; cross-origin pages that may pass get CORS headers. */
function checkOrigin(scope: HttpScope, patterns: readonly OriginPattern[] | null): Header[] {
  if (patterns?.some((pattern) => pattern.any)) return [];
  const value = singleHeader(scope, 'origin');
  if (value === undefined) {
    refuse(
      403,
      'FORBIDDEN',
      'the request needs exactly one Origin header (Node clients: pass one)',
    );
  }
  const parsed = parseOrigin(value);
  if (!parsed.ok) refuse(403, 'FORBIDDEN', `the Origin is refused: ${parsed.reason}`);
  const origin = parsed.origin;
  const host = singleHeader(scope, 'host');
  const hostOrigin = host === undefined ? undefined : parseOrigin(`${origin.scheme}://${host}`);
  const sameHost =
    hostOrigin?.ok === true &&
    hostOrigin.origin.host === origin.host &&
    hostOrigin.origin.port === origin.port;
  if (patterns === null ? sameHost : patterns.some((pattern) => pattern.matches(origin))) {
    if (sameHost) return [];
    return [
      ['access-control-allow-origin', origin.serialized],
      ['access-control-allow-credentials', 'true'],
      ['vary', 'origin'],
    ];
  }
  return refuse(403, 'FORBIDDEN', `the Origin ${origin.serialized} may not exchange tickets here`);
}

/** Refuses a ticket that was used before; from here on it is used. */
async function claim(settings: SessionSettings, inFlight: Set<string>, ticket: Ticket) {
  // Through the revocation store, so a shared (Redis) store covers every node.
  const key = `ticket:${ticket.ticketId}`;
  const used = () => refuse(401, 'UNAUTHENTICATED', 'the ticket was already used');
  if (inFlight.has(key)) used();
  inFlight.add(key);
  try {
    const store = settings.revocationStore;
    const ttl = Math.max(1, Math.ceil((ticket.expiresAt - Date.now()) / 1000));
    if (store.revokeIfNew !== undefined) {
      if (!(await store.revokeIfNew(key, ttl))) used();
      return;
    }
    if (await store.isRevoked(key)) used();
    await store.revoke(key, ttl);
  } finally {
    inFlight.delete(key);
  }
}

/** Refuses to replace the cookie of a live session the ticket is not bound to. */
async function checkBinding(settings: SessionSettings, scope: HttpScope, ticket: Ticket) {
  const seal = readCookies(scope.headers)[settings.cookieName];
  if (seal === undefined || seal === '') return;
  const current = settings.cache.get(seal) ?? (await unsealSession(settings.codec, seal));
  if (current === null || current.id === ticket.sessionId) return;
  if (ticket.boundTo.includes(current.id)) return;
  if (await settings.revocationStore.isRevoked(current.id)) return;
  refuse(
    409,
    'SESSION_CONFLICT',
    "the browser holds another session's cookie than the socket that issued this ticket (another tab logged in?); reconnect to pick it up",
  );
}

/**
 * The refusal for a revocation store that is away: no ticket is honoured unchecked, and the
 * outage is the store's to log, once.
 */
function unavailableRefusal(error: unknown): EndpointRefusal | undefined {
  const reply = unavailableReply(error);
  if (reply === undefined) return undefined;
  return new EndpointRefusal(503, reply.code, reply.message, [['retry-after', '5']]);
}

/** The `set-cookie` a valid, unused ticket earns. */
async function exchange(
  settings: SessionSettings,
  inFlight: Set<string>,
  maxAgeMs: number,
  scope: HttpScope,
  receive: Receive,
): Promise<Header> {
  const ticket = await openTicket(settings.codec, await readTicketBody(scope, receive));
  if (ticket === null || ticket.issuedAt + maxAgeMs <= Date.now()) {
    refuse(401, 'UNAUTHENTICATED', 'the ticket is expired or not a ticket of this server');
  }
  await claim(settings, inFlight, ticket);
  const secure = isSecureCookie(settings, scope);
  if (ticket.seal === null) return clearedSessionCookieHeader(settings, secure);
  if ((ticket.sessionExpiresAt ?? 0) <= Date.now()) {
    refuse(401, 'SESSION_EXPIRED', 'the session in the ticket has expired: log in again');
  }
  if (await settings.revocationStore.isRevoked(ticket.sessionId)) {
    refuse(401, 'REVOKED', 'the session in the ticket was logged out');
  }
  await checkBinding(settings, scope, ticket);
  return sessionCookieHeader(settings, ticket.seal, ticket.sessionExpiresAt ?? 0, secure);
}

/**
 * The HTTP application that turns a `session.updated` ticket into the session cookie, since a
 * WebSocket cannot set cookies after its handshake. Mount it where the client looks
 * (`/wsgate/session` by default) with the same session options as the socket stack. The
 * browser client POSTs `{"ticket": "..."}` with credentials; Node clients POST it with an
 * Origin header and keep the cookie themselves.
 *
 * | status | code | when |
 * |---|---|---|
 * | 204 | | cookie set (or deleted, for a ticket of an emptied session); a CORS preflight |
 * | 400 | BAD_MESSAGE | the body is not JSON with a `ticket` string |
 * | 401 | UNAUTHENTICATED | the ticket is forged, expired, older than `ticketTtlSeconds`, or used |
 * | 401 | REVOKED / SESSION_EXPIRED | the ticket's session was logged out / has expired |
 * | 403 | FORBIDDEN | the Origin is missing, malformed or not allowed |
 * | 405 | METHOD_NOT_ALLOWED | not POST (or OPTIONS); `Allow: POST, OPTIONS` |
 * | 409 | SESSION_CONFLICT | the request carries a live session cookie the ticket is not bound to |
 * | 413 | MESSAGE_TOO_BIG | the body is over 8 KiB |
 * | 415 | UNSUPPORTED_MEDIA_TYPE | the body is not `application/json` |
 * | 503 | SESSION_STORE_UNAVAILABLE | the revocation store (Redis) is unreachable; `Retry-After: 5` |
 *
 * Every ticket is single-use: used ids are kept in the session's revocation store (keys
 * `ticket:<id>`) until the ticket expires.
 *
 * @example
 * const session = { password: process.env.SESSION_PASSWORD! };
 * const app = protocolTypeRouter({
 *   http: urlRouter([route('/wsgate/session', sessionEndpoint({ session })), route(/^/, pages)]),
 *   websocket: authMiddlewareStack(socketAuthMiddleware(sockets, { authenticate }), { session, loadUser }),
 * });
 */
export function sessionEndpoint(options: SessionEndpointOptions): Application {
  const { allowedOrigins, ticketTtlSeconds = maxTicketTtlSeconds } = options ?? {};
  const settings = resolveSessionOptions(options?.session);
  if (allowedOrigins !== undefined && !Array.isArray(allowedOrigins)) {
    throw new WsgateError(
      ServerErrorCode.invalidOption,
      "sessionEndpoint: allowedOrigins is an array of origin patterns, e.g. ['https://app.example.com']",
    );
  }
  const patterns = allowedOrigins?.map(compileOriginPattern) ?? null;
  if (!Number.isSafeInteger(ticketTtlSeconds) || ticketTtlSeconds < 1 || ticketTtlSeconds > 60) {
    throw new WsgateError(
      ServerErrorCode.invalidOption,
      `sessionEndpoint: ticketTtlSeconds is a whole number from 1 to 60, not ${String(ticketTtlSeconds)}`,
    );
  }
  const logger = options.logger ?? defaultLogger;
  const inFlight = new Set<string>();

  return async (scope, receive, send: Send) => {
    if (scope.type !== 'http') {
      throw new WsgateError(
        ServerErrorCode.unknownScopeType,
        `sessionEndpoint answers HTTP requests, not ${scope.type}: route it under protocolTypeRouter's http.`,
      );
    }
    let cors: Header[] = [];
    try {
      if (scope.method !== 'POST' && scope.method !== 'OPTIONS') {
        throw new EndpointRefusal(405, 'METHOD_NOT_ALLOWED', 'POST the ticket', [
          ['allow', 'POST, OPTIONS'],
        ]);
      }
      cors = checkOrigin(scope, patterns);
      if (scope.method === 'OPTIONS') {
        return await respond(send, 204, [
          ...cors,
          ['access-control-allow-methods', 'POST'],
          ['access-control-allow-headers', 'content-type'],
          ['access-control-max-age', '600'],
        ]);
      }
      const cookie = await exchange(settings, inFlight, ticketTtlSeconds * 1000, scope, receive);
      await respond(send, 204, [...cors, cookie]);
    } catch (error) {
      const refusal = error instanceof EndpointRefusal ? error : unavailableRefusal(error);
      if (refusal === undefined) throw error;
      logger.debug(`session endpoint refused a request: ${refusal.message}`, {
        status: refusal.status,
        client: scope.client?.[0] ?? null,
      });
      const body = { code: refusal.code, message: refusal.message };
      await respond(send, refusal.status, [...cors, ...refusal.headers], body);
    }
  };
}
