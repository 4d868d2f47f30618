/**
 * How a route knows that its application is a `urlRouter`: such a route matches a prefix and
 * leaves the rest of the path to the router inside. A symbol on the function rather than its
 * name, so that bundling and minifying cannot lose it. A middleware passes the mark on, so
 * that a router wrapped in it stays nestable: `return wrapping(inner, app);` (BaseMiddleware
 * does this for you).
 */
import type { Application, Scope } from '@wsgate/shared';

const urlRouterMark = Symbol('wsgate.urlRouter');

/** Marks `app` as a router (see `urlRouter`), and returns it. */
export function markUrlRouter<S extends Scope>(app: Application<S>): Application<S> {
  Object.defineProperty(app, urlRouterMark, { value: true });
  return app;
}

/** True for an application made by `urlRouter`, or a middleware around one that kept the mark. */
export function isUrlRouter(app: unknown): boolean {
  return (
    typeof app === 'function' && (app as { [urlRouterMark]?: unknown })[urlRouterMark] === true
  );
}

/**
 * `app`, a middleware's application around `inner`, marked as a router when `inner` is one, so
 * that `route('/ws/', someMiddleware(urlRouter(...)))` still matches `/ws/` as a prefix.
 *
 * @example
 * export function tenantMiddleware<S extends Scope>(inner: Application<S & Tenant>): Application<S> {
 *   return wrapping(inner, (scope, receive, send) => inner({ ...scope, tenant: 'a' }, receive, send));
 * }
 */
export function wrapping<S extends Scope>(inner: unknown, app: Application<S>): Application<S> {
  return isUrlRouter(inner) ? markUrlRouter(app) : app;
}
