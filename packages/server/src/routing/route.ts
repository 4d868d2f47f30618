/**
 * `route(pattern, app)`: one entry of a `urlRouter`, Django's `path()` and `re_path()` in one.
 * Patterns are compiled and checked here, when the routing table is built, so that a typo
 * fails at start-up rather than on some later request.
 */
import type { Application, Scope, WithUrlRoute } from '@wsgate/shared';
import { ServerErrorCode, WsgateError } from '../errors.js';
import { isUrlRouter } from './url-router-mark.js';

/**
 * One entry of a `urlRouter`: a pattern and the application it leads to. Build it with
 * `route()`; the router refuses objects made any other way.
 *
 * @example
 * const routes: Route<WebSocketScope>[] = [route('ws/chat/:room/', chatApp)];
 */
export interface Route<S extends Scope = Scope> {
  readonly pattern: string | RegExp;
  readonly app: Application<S & WithUrlRoute>;
}

/** What a route captured from a path, and the part of the path it left unmatched. */
export interface RouteMatch {
  readonly args: readonly string[];
  readonly kwargs: Readonly<Record<string, string>>;
  readonly rest: string;
}

/** A route's compiled form: `prefix` routes lead to a router that matches the rest. */
export interface CompiledRoute {
  readonly prefix: boolean;
  /** `path` has no leading '/' (see `urlRouter`). */
  match(path: string): RouteMatch | null;
}

const compiledRoutes = new WeakMap<object, CompiledRoute>();

/** The compiled form of a value made by `route()`, or undefined for anything else. */
export function compiledRoute(value: unknown): CompiledRoute | undefined {
  return typeof value === 'object' && value !== null ? compiledRoutes.get(value) : undefined;
}

/** `R` without its `urlRoute`, member by member, so that `Scope & WithUrlRoute` gives `Scope`. */
type WithoutUrlRoute<R> = R extends WithUrlRoute & (infer S extends Scope) ? S : never;

/**
 * A route for `urlRouter`. Paths are matched without their leading '/'.
 *
 * - A string pattern matches the whole path. `:name` stands for one non-empty path segment
 *   (`[^/]+`) and lands in `scope.urlRoute.kwargs.name`; a parameter is always a whole segment.
 *   A leading '/' in the pattern is ignored, so `'/ws/chat/:room/'` and `'ws/chat/:room/'` are
 *   the same route. Trailing slashes are strict: `'chat/:room/'` does not match `/chat/lobby`.
 * - A RegExp is searched in the path as Django's `re_path` does: anchor it yourself
 *   (`/^ws\/chat\/(?<room>\w+)\/$/`). Named groups become `kwargs`; without named groups, the
 *   unnamed ones become `args` (an optional group that did not match gives '').
 * - When `app` is a `urlRouter`, the pattern matches a prefix of the path (a string pattern
 *   ends at a segment boundary) and the inner router matches the rest; captures add up.
 *
 * Values come from `scope.path`, which the adapter has already percent-decoded, and are not
 * decoded again.
 *
 * @throws WsgateError `INVALID_OPTION` for a malformed pattern or a repeated parameter name.
 * @example
 * urlRouter([
 *   route('/ws/chat/:room/', chatApp),              // scope.urlRoute.kwargs.room
 *   route(/^ws\/page\/(\d+)\/$/, pageApp),           // scope.urlRoute.args[0]
 *   route('/api/', urlRouter([route('users/:id/', userApp)])),
 * ]);
 */
export function route<R extends Scope & WithUrlRoute>(
  pattern: string | RegExp,
  app: Application<R>,
): Route<WithoutUrlRoute<R>>;
/**
 * A route to an application that does not read `urlRoute`, such as a nested `urlRouter`.
 *
 * @example
 * route('/ws/', urlRouter([route('chat/:room/', chatApp)]));
 */
export function route<S extends Scope>(pattern: string | RegExp, app: Application<S>): Route<S>;
export function route(pattern: string | RegExp, app: Application<never>): Route<never> {
  if (typeof app !== 'function') {
    throw invalid(`route(${describe(pattern)}, app): app must be an application function.`);
  }
  const prefix = isUrlRouter(app);
  let match: CompiledRoute['match'];
  if (typeof pattern === 'string') match = compileString(pattern, prefix);
  else if (pattern instanceof RegExp) match = compileRegExp(pattern);
  else
    throw invalid(
      `route(pattern, app): pattern must be a string or a RegExp, got ${typeof pattern}.`,
    );
  const entry: Route<never> = Object.freeze({ pattern, app });
  compiledRoutes.set(entry, { prefix, match });
  return entry;
}

const parameterName = /^[A-Za-z_$][\w$]*$/;

function compileString(pattern: string, prefix: boolean): CompiledRoute['match'] {
  const body = pattern.startsWith('/') ? pattern.slice(1) : pattern;
  if (/[?#]/.test(body)) {
    throw invalid(
      `route('${pattern}'): a pattern matches the path only; read the query string from scope.queryString.`,
    );
  }
  if (body.startsWith('/') || body.includes('//')) {
    throw invalid(`route('${pattern}'): the pattern has an empty path segment ('//').`);
  }
  const names: string[] = [];
  const segments = body.split('/').map((segment) => {
    if (!segment.startsWith(':')) return escapeRegExp(segment);
    const name = segment.slice(1);
    if (!parameterName.test(name)) {
      throw invalid(
        `route('${pattern}'): '${segment}' is not a parameter. A parameter is a whole path segment: ':' then a name of letters, digits and '_', as in 'chat/:room/'. Use a RegExp for anything else.`,
      );
    }
    if (names.includes(name)) {
      throw invalid(
        `route('${pattern}'): the parameter ':${name}' appears twice; give each its own name.`,
      );
    }
    names.push(name);
    return '([^/]+)';
  });
  // A prefix ends at a segment boundary, so that 'ws' leads into '/ws/chat/' but not '/wsx/'.
  const end = !prefix ? '$' : body === '' || body.endsWith('/') ? '' : '(?=/|$)';
  const regExp = new RegExp(`^${segments.join('/')}${end}`);
  return (path) => {
    const found = regExp.exec(path);
    if (!found) return null;
    const kwargs = Object.fromEntries(names.map((name, index) => [name, found[index + 1] ?? '']));
    return { args: [], kwargs, rest: path.slice(found[0].length) };
  };
}

function compileRegExp(pattern: RegExp): CompiledRoute['match'] {
  if (pattern.global || pattern.sticky) {
    throw invalid(
      `route(${String(pattern)}): the g and y flags make a RegExp remember where it last matched; drop them.`,
    );
  }
  if (/^\^?\\?\//.test(pattern.source)) {
    throw invalid(
      `route(${String(pattern)}): paths are matched without their leading '/'; write the pattern without it, as in /^ws\\/chat\\/(?<room>\\w+)\\/$/.`,
    );
  }
  // A private copy: nobody else can move its lastIndex or change it under the router.
  const regExp = new RegExp(pattern);
  return (path) => {
    const found = regExp.exec(path);
    if (!found) return null;
    const named = Object.entries(found.groups ?? {});
    // As Django: with named groups, unnamed ones are not passed on.
    const kwargs = Object.fromEntries(
      named.filter((entry): entry is [string, string] => entry[1] !== undefined),
    );
    const args = named.length > 0 ? [] : found.slice(1).map((value) => value ?? '');
    return { args, kwargs, rest: path.slice(found.index + found[0].length) };
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function describe(pattern: unknown): string {
  return typeof pattern === 'string' ? `'${pattern}'` : String(pattern);
}

function invalid(message: string): WsgateError {
  return new WsgateError(ServerErrorCode.invalidOption, message);
}
