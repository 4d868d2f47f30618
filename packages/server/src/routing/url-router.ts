/**
 * `urlRouter`: Channels' URLRouter. Picks the first route whose pattern matches the path, and
 * hands its application a scope copy with `urlRoute` filled in.
 */
import type { Application, Receive, Scope, Send, UrlRoute, WithUrlRoute } from '@wsgate/shared';
import { callApplication } from '../call-application.js';
import { copyWith } from '../copy-with.js';
import { nullPrototypeRecord } from '../null-prototype-record.js';
import { ServerErrorCode, WsgateError } from '../errors.js';
import { defaultLogger } from '../logger.js';
import type { Logger } from '../logger.js';
import { compiledRoute } from './route.js';
import type { CompiledRoute, Route, RouteMatch } from './route.js';
import { markUrlRouter } from './url-router-mark.js';

/**
 * The part of the path that a prefix route left for the router inside it (Channels'
 * `path_remaining`). Symbol-keyed, so it stays out of the public scope and out of JSON, yet
 * survives the `{ ...scope }` copy of any middleware between two routers.
 */
const pathRemaining = Symbol('wsgate.pathRemaining');

type RoutedScope = Scope & {
  readonly urlRoute?: UrlRoute;
  readonly [pathRemaining]?: string;
};

/**
 * Thrown by a nested router that matched nothing, so that the router outside it goes on with
 * its next route (Channels' Resolver404). Never leaves the outermost router.
 */
class NoRouteMatch extends Error {}

/**
 * Options for `urlRouter`.
 *
 * @example
 * urlRouter([route('ws/chat/:room/', chatApp)], { logger: consoleLogger('debug') });
 */
export interface UrlRouterOptions {
  /**
   * Where the router says which path matched no route (at `debug`).
   * @default defaultLogger
   */
  readonly logger?: Logger;
}

/**
 * Routes by path: the first route (see `route`) whose pattern matches wins, and its
 * application gets a copy of the scope with `urlRoute { args, kwargs }`. The path is matched
 * without its leading '/'.
 *
 * A route whose application is a `urlRouter` (or a middleware around one: wsgate's middleware
 * and `BaseMiddleware` subclasses pass the router mark on) matches a prefix, and the inner
 * router matches the rest: kwargs merge (the inner one wins a name clash) and args
 * concatenate. If the inner router matches nothing, the outer one goes on with its next route. The rest of the path travels down in a private, symbol-keyed field of
 * the scope copy, so a middleware between two routers must copy the scope with `{ ...scope }`
 * (as every wsgate middleware does).
 *
 * When nothing matches, the outermost router rejects: a WebSocket is closed before accept
 * (HTTP 403), an HTTP request gets a 404 with a short text body; the path is logged at debug.
 *
 * @throws WsgateError `INVALID_OPTION` when `routes` is empty or holds anything not made by
 *   `route()`.
 * @example
 * const app = protocolTypeRouter({
 *   websocket: urlRouter([
 *     route('/ws/', urlRouter([route('chat/:room/', chatApp)])), // /ws/chat/lobby/
 *     route(/^ws\/page\/(\d+)\/$/, pageApp),
 *   ]),
 * });
 */
export function urlRouter<S extends Scope = Scope>(
  routes: readonly Route<S>[],
  options: UrlRouterOptions = {},
): Application<S> {
  const table = compileTable(routes);
  const logger = options.logger ?? defaultLogger;

  // Not async: an open socket then holds its consumer's promise, not a suspended router frame.
  const router: Application<S> = (scope, receive, send) => {
    const routed: RoutedScope = scope;
    const nested = routed[pathRemaining] !== undefined;
    const fullPath = routed[pathRemaining] ?? scope.path;
    const path = fullPath.startsWith('/') ? fullPath.slice(1) : fullPath;
    const routeFrom = (first: number): Promise<void> => {
      for (let index = first; index < table.length; index++) {
        const { entry, compiled } = table[index] as (typeof table)[number];
        const found = compiled.match(path);
        if (found === null) continue;
        const running = callApplication(
          entry.app,
          scopeFor(scope, found, compiled.prefix),
          receive,
          send,
        );
        if (!compiled.prefix) return running;
        return running.catch((error: unknown) => {
          if (error instanceof NoRouteMatch) return routeFrom(index + 1);
          throw error;
        });
      }
      if (nested) return Promise.reject(new NoRouteMatch(`No route matches '${path}'.`));
      logger.debug('urlRouter: no route matches the path', { type: scope.type, path: scope.path });
      return rejectUnrouted(scope, receive, send);
    };
    return routeFrom(0);
  };
  return markUrlRouter(router);
}

function compileTable<S extends Scope>(
  routes: readonly Route<S>[],
): Array<{ entry: Route<S>; compiled: CompiledRoute }> {
  // Checked through `unknown`: Array.isArray would otherwise narrow `routes` to any[].
  const given: unknown = routes;
  if (!Array.isArray(given) || given.length === 0) {
    throw new WsgateError(
      ServerErrorCode.invalidOption,
      'urlRouter(routes) needs a non-empty array of routes, as in urlRouter([route(pattern, app)]).',
    );
  }
  return routes.map((entry, index) => {
    const compiled = compiledRoute(entry);
    if (compiled === undefined) {
      throw new WsgateError(
        ServerErrorCode.invalidOption,
        `urlRouter: routes[${index}] was not made by route(); build each entry with route(pattern, app).`,
      );
    }
    return { entry, compiled };
  });
}

/** The urlRoute of a route without captures, under no other router: one for all of them. */
const emptyUrlRoute: UrlRoute = Object.freeze({
  args: Object.freeze([]),
  kwargs: Object.freeze(nullPrototypeRecord<string>()),
});

function urlRouteFor(outer: UrlRoute | undefined, found: RouteMatch): UrlRoute {
  const captured = found.args.length > 0 || Object.keys(found.kwargs).length > 0;
  if (outer === undefined && !captured) return emptyUrlRoute;
  // A null prototype, so that `kwargs[name]` is never an inherited `constructor` or `toString`.
  const kwargs = Object.assign(nullPrototypeRecord<string>(), outer?.kwargs, found.kwargs);
  return Object.freeze({
    args: Object.freeze([...(outer?.args ?? []), ...found.args]),
    kwargs: Object.freeze(kwargs),
  });
}

function scopeFor<S extends Scope>(scope: S, found: RouteMatch, prefix: boolean): S & WithUrlRoute {
  const urlRoute = urlRouteFor((scope as RoutedScope).urlRoute, found);
  // Only a router needs the rest of the path; an endpoint that runs a router of its own must
  // not look nested to it.
  if (prefix) return copyWith(scope, { urlRoute, [pathRemaining]: found.rest });
  const next = copyWith(scope, { urlRoute });
  if ((scope as RoutedScope)[pathRemaining] !== undefined) {
    delete (next as { [pathRemaining]?: string })[pathRemaining];
  }
  return next;
}

async function rejectUnrouted(scope: Scope, receive: Receive, send: Send): Promise<void> {
  if (scope.type === 'websocket') {
    // Close only in answer to the connect event, as ASGI orders it; a client already gone
    // needs no answer.
    const event = await receive();
    if (event.type === 'websocket.connect') await send({ type: 'websocket.close' });
    return;
  }
  const body = new TextEncoder().encode('Not Found\n');
  await send({
    type: 'http.response.start',
    status: 404,
    headers: [
      ['content-type', 'text/plain; charset=utf-8'],
      ['content-length', String(body.byteLength)],
    ],
  });
  await send({ type: 'http.response.body', body });
}
