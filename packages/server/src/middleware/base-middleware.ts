/**
 * `BaseMiddleware`: Channels' BaseMiddleware, the class to subclass for a middleware of your
 * own. The base class owns the parts that are easy to get wrong: it copies the scope instead
 * of mutating it, awaits the additions before the inner application starts, and keeps a
 * wrapped `urlRouter` nestable.
 */
import type { Application, Receive, Scope, Send } from '@wsgate/shared';
import { copyWith } from '../copy-with.js';
import { ServerErrorCode, WsgateError } from '../errors.js';
import { wrapping } from '../routing/url-router-mark.js';

/**
 * `S` without `Added`, member by member. TypeScript infers a generic subclass's `S` from
 * `inner`, and from a union such as `Scope & Added` it infers the whole union; stripping
 * `Added` again keeps `new M(protocolTypeRouter(...)).asApp()` an `Application<Scope>`.
 */
type WithoutAdded<S, Added> = S extends Added & (infer Outer extends Scope) ? Outer : S;

/**
 * A middleware that adds `Added` to the scope of the application it wraps. Subclass it,
 * implement `extendScope` to return the additions (the base class passes `inner` a copy of the
 * scope with them merged in), and turn an instance into an application with `asApp()`.
 * Override `handle` as well to answer a connection yourself instead of passing it on.
 *
 * `S` is the scope the middleware is given; make the subclass generic over it when it should
 * fit under any router (see the example), or fix it (`BaseMiddleware<Added, WebSocketScope>`).
 *
 * @example
 * class TenantMiddleware<S extends Scope> extends BaseMiddleware<{ tenant: string }, S> {
 *   protected extendScope(scope: S) {
 *     return { tenant: scope.headers.find(([name]) => name === 'x-tenant')?.[1] ?? 'public' };
 *   }
 * }
 * const app = new TenantMiddleware(urlRouter([route('ws/:room/', chatApp)])).asApp();
 * // chatApp: Application<WebSocketScope & { tenant: string } & WithUrlRoute>
 */
export abstract class BaseMiddleware<Added extends object = object, S extends Scope = Scope> {
  /** The application this middleware wraps. */
  protected readonly inner: Application<S & Added>;

  constructor(inner: Application<S & Added>) {
    if (typeof inner !== 'function') {
      throw new WsgateError(
        ServerErrorCode.invalidOption,
        `${new.target.name}(inner): inner must be an application function, got ${typeof inner}.`,
      );
    }
    this.inner = inner;
  }

  /**
   * What this middleware adds to (or replaces in) the scope for one connection. Return only the
   * additions; the base class merges them into a copy. May be async: the inner application
   * starts once it resolves, and a rejection fails the connection (1011 / HTTP 500).
   *
   * @example
   * protected async extendScope(scope: S) {
   *   return { user: await this.loadUserFromHeaders(scope.headers) };
   * }
   */
  protected abstract extendScope(scope: S): Added | Promise<Added>;

  /**
   * Runs one connection: extends a copy of the scope and calls `inner` with it. Override it to
   * refuse a connection before `inner` runs, and call `super.handle` to pass it on.
   *
   * @example
   * protected override async handle(scope: S, receive: Receive, send: Send) {
   *   if (scope.type === 'websocket' && !scope.subprotocols.includes('v1')) {
   *     await receive(); // websocket.connect
   *     return send({ type: 'websocket.close' }); // HTTP 403
   *   }
   *   return super.handle(scope, receive, send);
   * }
   */
  protected async handle(scope: S, receive: Receive, send: Send): Promise<void> {
    const added = await this.extendScope(scope);
    await this.inner(copyWith(scope, added), receive, send);
  }

  /**
   * This middleware as an application, for `serve`, a router or another middleware. Wrapping a
   * `urlRouter` leaves it a router, so `route('/api/', mw.asApp())` still matches a prefix.
   *
   * @example
   * await serve(new TenantMiddleware(app).asApp(), { port: 8000 });
   */
  asApp(): Application<WithoutAdded<S, Added>> {
    const app: Application<WithoutAdded<S, Added>> = (scope, receive, send) =>
      this.handle(scope as S, receive, send);
    return wrapping(this.inner, app);
  }
}
