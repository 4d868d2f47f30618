import type { Application, Scope, WithCookies, WithSession } from '@wsgate/shared';
import { cookieMiddleware } from '../cookies/cookie-middleware.js';
import { sessionMiddleware } from './session-middleware.js';
import type { SessionOptions } from './session-options.js';

/**
 * `cookieMiddleware` around `sessionMiddleware` (Channels' SessionMiddlewareStack): the usual
 * way to get `scope.session`.
 *
 * @example
 * const app = sessionMiddlewareStack(
 *   async (scope, receive, send) => {
 *     scope.session.set('seen', true);
 *     await send({ type: 'http.response.start', status: 204, headers: [] });
 *     await send({ type: 'http.response.body' });
 *   },
 *   { password: process.env.SESSION_PASSWORD! },
 * );
 */
export function sessionMiddlewareStack(
  inner: Application<Scope & WithCookies & WithSession>,
  options: SessionOptions,
): Application;
// TypeScript cannot infer `S` through the Scope union (as with cookieMiddleware); the overload
// above covers an inner application that takes both scope types.
export function sessionMiddlewareStack<S extends Scope>(
  inner: Application<S & WithCookies & WithSession>,
  options: SessionOptions,
): Application<S>;
export function sessionMiddlewareStack<S extends Scope>(
  inner: Application<S & WithCookies & WithSession>,
  options: SessionOptions,
): Application<S> {
  return cookieMiddleware<S>(sessionMiddleware<S>(inner, options));
}
