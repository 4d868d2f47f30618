import type { Application, Scope, User, WithCookies, WithSession, WithUser } from '@wsgate/shared';
import { sessionMiddlewareStack } from '../sessions/session-middleware-stack.js';
import type { SessionOptions } from '../sessions/session-options.js';
import { authMiddleware, checkLoadUser } from './auth-middleware.js';
import type { AuthMiddlewareOptions } from './auth-middleware.js';

/**
 * Options of `authMiddlewareStack`: the session's and `loadUser`.
 *
 * @example
 * authMiddlewareStack(app, { session: { password }, loadUser: (id) => users.get(id) ?? null });
 */
export interface AuthMiddlewareStackOptions<
  U extends User = User,
> extends AuthMiddlewareOptions<U> {
  readonly session: SessionOptions;
}

/**
 * Cookies, session and user in one (Channels' AuthMiddlewareStack): HTTP requests and
 * WebSocket connections are authenticated from the same session cookie.
 *
 * @example
 * const app = protocolTypeRouter({
 *   http: authMiddlewareStack(httpApp, { session: { password }, loadUser }),
 *   websocket: authMiddlewareStack(urlRouter([route('/ws/chat/', ChatConsumer.asApp())]), {
 *     session: { password },
 *     loadUser: (id) => db.users.findById(id),
 *   }),
 * });
 */
export function authMiddlewareStack<U extends User>(
  inner: Application<Scope & WithCookies & WithSession & WithUser<U>>,
  options: AuthMiddlewareStackOptions<U>,
): Application;
// TypeScript cannot infer `S` through the Scope union (as with cookieMiddleware); the overload
// above covers an inner application that takes both scope types.
export function authMiddlewareStack<U extends User, S extends Scope>(
  inner: Application<S & WithCookies & WithSession & WithUser<U>>,
  options: AuthMiddlewareStackOptions<U>,
): Application<S>;
export function authMiddlewareStack<U extends User, S extends Scope>(
  inner: Application<S & WithCookies & WithSession & WithUser<U>>,
  options: AuthMiddlewareStackOptions<U>,
): Application<S> {
  checkLoadUser(options);
  return sessionMiddlewareStack<S>(
    authMiddleware<U, S & WithCookies>(inner, { loadUser: options.loadUser }),
    options.session,
  );
}
