import type { Application, Scope, ScopeUser, User, WithSession, WithUser } from '@wsgate/shared';
import { callApplication } from '../call-application.js';
import { copyWith } from '../copy-with.js';
import { ServerErrorCode, WsgateError } from '../errors.js';
import { isPromiseLike } from '../promise-like.js';
import { wrapping } from '../routing/url-router-mark.js';
import { sessionOf, userFromSession } from './session-user.js';
import { userLoaderKey } from './user-loader.js';
import type { LoadUser } from './user-loader.js';

/**
 * Options of `authMiddleware`.
 *
 * @example
 * authMiddleware(app, { loadUser: async (id) => (await db.users.findById(id)) ?? null });
 */
export interface AuthMiddlewareOptions<U extends User = User> {
  /**
   * The user with this id (the string `login` stored), or null when there is none any more
   * (the scope's user is then anonymous). Called only when the session names a user.
   */
  readonly loadUser: LoadUser<U>;
}

/** Checked at construction, so a typo fails at startup rather than on the first login. */
export function checkLoadUser(options: { readonly loadUser?: unknown } | undefined): void {
  if (typeof options?.loadUser !== 'function') {
    throw new WsgateError(
      ServerErrorCode.invalidOption,
      'authMiddleware needs { loadUser: (id) => user | null }, which finds the user a session names.',
    );
  }
}

/**
 * Puts the session's user on `scope.user` (Channels' AuthMiddleware): the user `loadUser`
 * returns, spread with `isAuthenticated: true`, or `anonymousUser`. A user whose
 * `sessionAuthHash` changed since login (a password change) gets the session flushed and is
 * anonymous, as in Django. Needs `scope.session`: use {@link authMiddlewareStack}, or wrap it
 * in `sessionMiddlewareStack`.
 *
 * @example
 * const app = sessionMiddlewareStack(
 *   authMiddleware(
 *     async (scope, receive, send) => {
 *       if (!scope.user.isAuthenticated) return send({ type: 'websocket.close' }); // HTTP 403
 *       // ...
 *     },
 *     { loadUser: (id) => db.users.findById(id) },
 *   ),
 *   { password: process.env.SESSION_PASSWORD! },
 * );
 */
export function authMiddleware<U extends User>(
  inner: Application<Scope & WithSession & WithUser<U>>,
  options: AuthMiddlewareOptions<U>,
): Application<Scope & WithSession>;
// TypeScript cannot infer `S` through the Scope union (as with cookieMiddleware); the overload
// above covers an inner application that takes both scope types.
export function authMiddleware<U extends User, S extends Scope>(
  inner: Application<S & WithSession & WithUser<U>>,
  options: AuthMiddlewareOptions<U>,
): Application<S & WithSession>;
export function authMiddleware<U extends User, S extends Scope>(
  inner: Application<S & WithSession & WithUser<U>>,
  options: AuthMiddlewareOptions<U>,
): Application<S & WithSession> {
  checkLoadUser(options);
  const { loadUser } = options;
  // Not async, and without an await when loadUser answers at once: each would cost every
  // handshake a tick and every open socket a promise layer.
  const app: Application<S & WithSession> = (scope, receive, send) => {
    const withUser = (user: ScopeUser<U>): Promise<void> =>
      callApplication(inner, copyWith(scope, { user, [userLoaderKey]: loadUser }), receive, send);
    try {
      const user = userFromSession(sessionOf(scope, 'authMiddleware'), loadUser);
      return isPromiseLike(user) ? Promise.resolve(user).then(withUser) : withUser(user);
    } catch (thrown) {
      const error = thrown as Error;
      return Promise.reject(error);
    }
  };
  // Around a urlRouter, stay one, so that a route outside still matches it as a prefix.
  return wrapping(inner, app);
}
