import { expectTypeOf, test } from 'vitest';
import type { Application, HttpScope, WebSocketScope, WithCookies } from '@wsgate/shared';
import { protocolTypeRouter } from './protocol-type-router.js';

declare const http: Application<HttpScope>;
declare const websocket: Application<WebSocketScope>;

test('a router is an Application where one is expected (regression: Added inferred as never)', () => {
  const app: Application = protocolTypeRouter({ http, websocket });
  const make = (): Application => protocolTypeRouter({ websocket });
  expectTypeOf(app).toEqualTypeOf<Application>();
  expectTypeOf(make).returns.toEqualTypeOf<Application>();
});

test('what middleware around the router adds reaches both protocols', () => {
  const router = protocolTypeRouter<WithCookies>({
    http: (scope) => {
      expectTypeOf(scope.cookies).toEqualTypeOf<Readonly<Record<string, string>>>();
      return Promise.resolve();
    },
  });
  expectTypeOf(router).toEqualTypeOf<Application<(HttpScope | WebSocketScope) & WithCookies>>();
});
