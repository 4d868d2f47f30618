// Routed applications see `urlRoute`; routers ask for no more than their routes need.
import type {
  Application,
  HttpScope,
  Scope,
  UrlRoute,
  WebSocketScope,
  WithUrlRoute,
} from '@wsgate/shared';
import { describe, expectTypeOf, it } from 'vitest';
import type { Route } from './route.js';
import { route } from './route.js';
import { urlRouter } from './url-router.js';

describe('urlRouter types', () => {
  it('gives a routed application scope.urlRoute', () => {
    const router = urlRouter([
      route('chat/:room/', (scope) => {
        expectTypeOf(scope.urlRoute).toEqualTypeOf<UrlRoute>();
        expectTypeOf(scope.urlRoute.kwargs['room']).toEqualTypeOf<string | undefined>();
        expectTypeOf(scope.urlRoute.args).toEqualTypeOf<readonly string[]>();
        return Promise.resolve();
      }),
    ]);
    expectTypeOf(router).toEqualTypeOf<Application<Scope>>();
  });

  it('infers the scope its routes need, through nesting', () => {
    const chat: Application<WebSocketScope & WithUrlRoute> = () => Promise.resolve();
    expectTypeOf(route('chat/:room/', chat)).toEqualTypeOf<Route<WebSocketScope>>();
    const nested = urlRouter([route('/ws/', urlRouter([route('chat/:room/', chat)]))]);
    expectTypeOf(nested).toEqualTypeOf<Application<WebSocketScope>>();
  });

  it('asks nothing of the outside for an application written for both protocols', () => {
    const either: Application<Scope & WithUrlRoute> = () => Promise.resolve();
    expectTypeOf(route('x/', either)).toEqualTypeOf<Route>();
    expectTypeOf(urlRouter([route('x/', either)])).toEqualTypeOf<Application<Scope>>();
  });

  it('refuses a routed application that needs more than urlRoute', () => {
    const needsHttp: Application<HttpScope & WithUrlRoute> = () => Promise.resolve();
    const router = urlRouter([route('x/', needsHttp)]);
    // @ts-expect-error -- an HTTP-only router cannot take WebSocket connections.
    const asWebsocket: Application<WebSocketScope> = router;
    expectTypeOf(asWebsocket).not.toBeAny();
  });
});
