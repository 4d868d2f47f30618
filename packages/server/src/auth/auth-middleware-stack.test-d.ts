import { describe, expectTypeOf, it } from 'vitest';
import type {
  Application,
  Scope,
  ScopeUser,
  Session,
  User,
  WebSocketScope,
  WithCookies,
  WithSession,
  WithUrlRoute,
  WithUser,
} from '@wsgate/shared';
import { sessionMiddleware } from '../sessions/session-middleware.js';
import { sessionMiddlewareStack } from '../sessions/session-middleware-stack.js';
import { authMiddleware } from './auth-middleware.js';
import { authMiddlewareStack } from './auth-middleware-stack.js';

interface AppUser extends User {
  readonly id: string;
  readonly name: string;
}
declare const loadUser: (id: string) => Promise<AppUser | null>;
const password = 'p'.repeat(32);

describe('session and auth middleware types', () => {
  it('shows scope.session and scope.user inside an unannotated application', () => {
    const sessionApp = sessionMiddlewareStack(
      async (scope) => {
        expectTypeOf(scope.session).toEqualTypeOf<Session>();
        expectTypeOf(scope.cookies).toEqualTypeOf<Readonly<Record<string, string>>>();
        return Promise.resolve();
      },
      { password },
    );
    expectTypeOf(sessionApp).toEqualTypeOf<Application>();
    const authApp = authMiddlewareStack(
      async (scope) => {
        expectTypeOf(scope.user).toEqualTypeOf<ScopeUser<AppUser>>();
        if (scope.user.isAuthenticated) expectTypeOf(scope.user.name).toEqualTypeOf<string>();
        return Promise.resolve();
      },
      { session: { password }, loadUser },
    );
    expectTypeOf(authApp).toEqualTypeOf<Application>();
  });

  it('turns applications typed for any scope into a plain Application', () => {
    const inner = (async () => Promise.resolve()) as Application<
      Scope & WithCookies & WithSession & WithUser<AppUser>
    >;
    expectTypeOf(
      authMiddlewareStack(inner, { session: { password }, loadUser }),
    ).toEqualTypeOf<Application>();
    expectTypeOf(
      sessionMiddlewareStack(inner as Application<Scope & WithCookies & WithSession>, { password }),
    ).toEqualTypeOf<Application>();
  });

  it('keeps what else a websocket-only application needs', () => {
    const inner = (async () => Promise.resolve()) as Application<
      WebSocketScope & WithCookies & WithSession & WithUser<AppUser> & WithUrlRoute
    >;
    expectTypeOf(authMiddlewareStack(inner, { session: { password }, loadUser })).toEqualTypeOf<
      Application<WebSocketScope & WithUrlRoute>
    >();
  });

  it('needs cookies outside sessionMiddleware and a session outside authMiddleware', () => {
    const withSession = sessionMiddleware(async () => Promise.resolve(), { password });
    expectTypeOf(withSession).toEqualTypeOf<Application<Scope & WithCookies>>();
    const withUser = authMiddleware(async () => Promise.resolve(), { loadUser });
    expectTypeOf(withUser).toEqualTypeOf<Application<Scope & WithSession>>();
    // @ts-expect-error a session middleware needs cookies in the scope it is given
    const unwrapped: Application = withSession;
    void unwrapped;
  });
});
