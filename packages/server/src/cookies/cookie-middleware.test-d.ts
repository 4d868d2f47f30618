import { describe, expectTypeOf, it } from 'vitest';
import type { Application, Scope, WebSocketScope, WithCookies, WithUrlRoute } from '@wsgate/shared';
import { cookieMiddleware } from './cookie-middleware.js';

describe('cookieMiddleware types', () => {
  it('shows scope.cookies inside an unannotated application', () => {
    const app = cookieMiddleware(async (scope) => {
      expectTypeOf(scope.cookies).toEqualTypeOf<Readonly<Record<string, string>>>();
      return Promise.resolve();
    });
    expectTypeOf(app).toEqualTypeOf<Application>();
  });

  it('turns an application that needs cookies on any scope into a plain Application', () => {
    const inner = (async () => Promise.resolve()) as Application<Scope & WithCookies>;
    expectTypeOf(cookieMiddleware(inner)).toEqualTypeOf<Application>();
  });

  it('keeps what else a websocket-only application needs', () => {
    const inner = (async () => Promise.resolve()) as Application<
      WebSocketScope & WithCookies & WithUrlRoute
    >;
    expectTypeOf(cookieMiddleware(inner)).toEqualTypeOf<
      Application<WebSocketScope & WithUrlRoute>
    >();
  });
});
