// What a BaseMiddleware adds is visible, by type, to everything it wraps, routers included.
import type {
  Application,
  HttpScope,
  Scope,
  UrlRoute,
  WebSocketScope,
  WithUrlRoute,
  WithUser,
} from '@wsgate/shared';
import { describe, expectTypeOf, it } from 'vitest';
import { protocolTypeRouter } from '../routing/protocol-type-router.js';
import { route } from '../routing/route.js';
import { urlRouter } from '../routing/url-router.js';
import { BaseMiddleware } from './base-middleware.js';

class TenantMiddleware<S extends Scope = Scope> extends BaseMiddleware<{ tenant: string }, S> {
  protected extendScope() {
    return { tenant: 'acme' };
  }
}

describe('BaseMiddleware types', () => {
  it('shows inner what the middleware adds, and asks the outside for the plain scope', () => {
    const app = new TenantMiddleware((scope) => {
      expectTypeOf(scope.tenant).toEqualTypeOf<string>();
      expectTypeOf(scope.path).toEqualTypeOf<string>();
      return Promise.resolve();
    }).asApp();
    expectTypeOf(app).toEqualTypeOf<Application<Scope>>();
  });

  it('infers a websocket-only scope from a websocket-only router and narrows it', () => {
    const chat: Application<WebSocketScope & { tenant: string } & WithUrlRoute> = (scope) => {
      expectTypeOf(scope.subprotocols).toEqualTypeOf<readonly string[]>();
      expectTypeOf(scope.urlRoute).toEqualTypeOf<UrlRoute>();
      return Promise.resolve();
    };
    const app = new TenantMiddleware(urlRouter([route('ws/chat/:room/', chat)])).asApp();
    expectTypeOf(app).toEqualTypeOf<Application<WebSocketScope>>();
    expectTypeOf(protocolTypeRouter({ websocket: app })).toEqualTypeOf<Application<Scope>>();
  });

  it('refuses an inner that needs more than the middleware gives', () => {
    const needsUser: Application<WebSocketScope & WithUser & WithUrlRoute> = () =>
      Promise.resolve();
    const router = urlRouter([route('ws/', needsUser)]);
    // @ts-expect-error -- nothing here adds `user`.
    protocolTypeRouter<unknown>({ websocket: new TenantMiddleware(router).asApp() });
  });

  it('narrows on scope.type inside a protocolTypeRouter under a middleware', () => {
    const app = new TenantMiddleware(
      protocolTypeRouter<{ tenant: string }>({
        http: (scope) => {
          expectTypeOf(scope).toEqualTypeOf<HttpScope & { tenant: string }>();
          return Promise.resolve();
        },
        websocket: (scope) => {
          expectTypeOf(scope.tenant).toEqualTypeOf<string>();
          return Promise.resolve();
        },
      }),
    ).asApp();
    expectTypeOf(app).toEqualTypeOf<Application<Scope>>();
  });

  it('infers the plain scope around a router for both protocols', () => {
    const http: Application<HttpScope & { tenant: string }> = () => Promise.resolve();
    const websocket: Application<WebSocketScope & { tenant: string }> = () => Promise.resolve();
    const app = new TenantMiddleware(protocolTypeRouter({ http, websocket })).asApp();
    expectTypeOf(app).toEqualTypeOf<Application<Scope>>();
  });
});
