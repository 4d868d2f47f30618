import { CloseCode } from '@wsgate/shared';
import type { Application, Receive, Scope, Send, WithCookies, WithSession } from '@wsgate/shared';
import { callApplication } from '../call-application.js';
import { copyWith } from '../copy-with.js';
import { ServerErrorCode, WsgateError } from '../errors.js';
import { defaultLogger } from '../logger.js';
import { isPromiseLike } from '../promise-like.js';
import { wrapping } from '../routing/url-router-mark.js';
import { respond } from '../socket-auth/endpoint-http.js';
import { storeUnavailable } from '../unavailable-reply.js';
import { SealedSession } from './sealed-session.js';
import { unsealSession } from './seal-session.js';
import type { SessionRecord } from './seal-session.js';
import { clearedSessionCookieHeader, isSecureCookie } from './session-cookie.js';
import { resolveSessionOptions } from './session-options.js';
import type { SessionOptions, SessionSettings } from './session-options.js';
import { storeOutage } from './store-outage.js';
import type { StoreOutage } from './store-outage.js';

/**
 * The session in a cookie, or null: none, or one that does not open (tampered, expired,
 * sealed with another password, malformed, oversized) or whose id was revoked. A bad cookie
 * is untrusted input, never an error. Synchronous when the seal is cached and the revocation
 * store answers at once (the in-memory one), which is a reconnect's usual path: each await
 * there would cost every handshake a tick and every open socket a promise layer.
 */
function loadSession(
  settings: SessionSettings,
  outage: StoreOutage,
  seal: string | undefined,
): SessionRecord | null | Promise<SessionRecord | null> {
  if (seal === undefined || seal === '') return null;
  const cached = settings.cache.get(seal);
  if (cached !== undefined) return unlessRevoked(settings, outage, cached);
  return unsealSession(settings.codec, seal).then((opened) => {
    if (opened === null) return null;
    // Cached even if revoked: the check below runs on every hit, and replays stay cheap.
    settings.cache.set(seal, opened);
    return unlessRevoked(settings, outage, opened);
  });
}

function unlessRevoked(
  settings: SessionSettings,
  outage: StoreOutage,
  record: SessionRecord,
): SessionRecord | null | Promise<SessionRecord | null> {
  const answer = (revoked: boolean): SessionRecord | null => {
    outage.answered();
    return revoked ? null : record;
  };
  const revoked = settings.revocationStore.isRevoked(record.id);
  return isPromiseLike(revoked) ? Promise.resolve(revoked).then(answer) : answer(revoked);
}

/**
 * Refuses a request whose session cookie cannot be checked because the revocation store
 * failed: let through unchecked, a logged-out cookie would work again; made anonymous, the user
 * would be signed out for a blip. HTTP gets 503 with Retry-After; a WebSocket closes with 1013
 * (try again later), after which the client reconnects with jittered backoff.
 */
function refuseUnchecked(scope: Scope, send: Send): Promise<void> {
  const { code, message } = storeUnavailable;
  if (scope.type === 'websocket') {
    return send({ type: 'websocket.close', code: CloseCode.tryAgainLater, reason: message });
  }
  return respond(send, 503, [['retry-after', '5']], { code, message });
}

/**
 * `send` for an HTTP request: on the response start, sets the session cookie when the session
 * changed or `save()` was called, or deletes it when the session was emptied. Not on a 5xx
 * (as Channels): a failing request should not change the user's session.
 */
function savingSend(
  session: SealedSession,
  scope: Scope & WithCookies,
  settings: SessionSettings,
  send: Send,
): Send {
  return async (event) => {
    if (event.type !== 'http.response.start') return send(event);
    session.markResponseStarted();
    if (event.status >= 500 || !(session.isModified || session.saveRequested)) return send(event);
    const { cookie } = await session.seal();
    // An emptied session: delete the cookie if the browser has one, else there is nothing to say.
    const hadCookie = scope.cookies[settings.cookieName] !== undefined;
    const header =
      cookie ??
      (hadCookie ? clearedSessionCookieHeader(settings, isSecureCookie(settings, scope)) : null);
    if (header === null) return send(event);
    return send({ ...event, headers: [...(event.headers ?? []), header] });
  };
}

/**
 * Puts the session on `scope.session` (Channels' SessionMiddleware), for HTTP and WebSocket,
 * from an iron-session sealed cookie. The session is opened before `inner` runs, so reads and
 * writes are synchronous; opened sessions are cached by seal, so reconnects are cheap. Over
 * HTTP a changed session is saved on `http.response.start` (Set-Cookie: HttpOnly, Path=/,
 * SameSite=Lax, Max-Age and Expires, Secure over https). In a socket `session.save()` seals it
 * and the in-socket protocol sends it to the client as `session.updated`.
 *
 * Needs `scope.cookies` (use {@link sessionMiddlewareStack}, or wrap it in `cookieMiddleware`).
 * A cookie that does not open, or whose session was revoked by logout, gives an empty session.
 * With two cookies of the session's name, the first one the browser sent is used. While the
 * revocation store fails (Redis down), requests with a cookie are refused, never let through
 * unchecked: HTTP 503 `{"code": "SESSION_STORE_UNAVAILABLE", ...}`, WebSocket close 1013 (try
 * again later) after an `auth.error` that says why; logged once as the outage starts and once
 * as it ends.
 *
 * @example
 * const app = cookieMiddleware(
 *   sessionMiddleware(
 *     async (scope, receive, send) => {
 *       const visits = (scope.session.get<number>('visits') ?? 0) + 1;
 *       scope.session.set('visits', visits);
 *       await send({ type: 'http.response.start', status: 200, headers: [] });
 *       await send({ type: 'http.response.body', body: new TextEncoder().encode(`${visits}`) });
 *     },
 *     { password: process.env.SESSION_PASSWORD! },
 *   ),
 * );
 */
export function sessionMiddleware(
  inner: Application<Scope & WithCookies & WithSession>,
  options: SessionOptions,
): Application<Scope & WithCookies>;
// TypeScript cannot infer `S` through the Scope union (as with cookieMiddleware); the overload
// above covers an inner application that takes both scope types.
export function sessionMiddleware<S extends Scope>(
  inner: Application<S & WithCookies & WithSession>,
  options: SessionOptions,
): Application<S & WithCookies>;
export function sessionMiddleware<S extends Scope>(
  inner: Application<S & WithCookies & WithSession>,
  options: SessionOptions,
): Application<S & WithCookies> {
  const settings = resolveSessionOptions(options);
  const outage = storeOutage(settings.revocationStore, options.logger ?? defaultLogger);
  const withSession = (
    scope: S & WithCookies,
    receive: Receive,
    send: Send,
    record: SessionRecord | null,
  ): Promise<void> => {
    const session = new SealedSession(record, {
      settings,
      kind: scope.type,
      secure: isSecureCookie(settings, scope),
    });
    const sessionScope = copyWith(scope, { session });
    if (scope.type !== 'http') return callApplication(inner, sessionScope, receive, send);
    return callApplication(
      inner,
      sessionScope,
      receive,
      savingSend(session, scope, settings, send),
    );
  };
  const refuse = (scope: S & WithCookies, send: Send, error: unknown): Promise<void> => {
    outage.refused(error);
    return refuseUnchecked(scope, send);
  };
  // Not async: see loadSession.
  const app: Application<S & WithCookies> = (scope, receive, send) => {
    // A session middleware further out already did the work (as Channels passes it through).
    if ('session' in scope) {
      return callApplication(inner, scope as S & WithCookies & WithSession, receive, send);
    }
    try {
      const { cookies } = scope as Partial<WithCookies>;
      if (typeof cookies !== 'object' || cookies === null) {
        throw new WsgateError(
          ServerErrorCode.missingMiddleware,
          'sessionMiddleware needs cookies in scope. Wrap it in cookieMiddleware, or use sessionMiddlewareStack.',
        );
      }
      let loaded: SessionRecord | null | Promise<SessionRecord | null>;
      try {
        loaded = loadSession(settings, outage, cookies[settings.cookieName]);
      } catch (error) {
        return refuse(scope, send, error);
      }
      if (isPromiseLike(loaded)) {
        return loaded.then(
          (record) => withSession(scope, receive, send, record),
          (error: unknown) => refuse(scope, send, error),
        );
      }
      return withSession(scope, receive, send, loaded);
    } catch (thrown) {
      const error = thrown as Error;
      return Promise.reject(error);
    }
  };
  // Around a urlRouter, stay one, so that a route outside still matches it as a prefix.
  return wrapping(inner, app);
}
