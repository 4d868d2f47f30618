import { describe, expectTypeOf, it } from 'vitest';
import type {
  Application,
  ScopeUser,
  User,
  WebSocketAuthReason,
  WebSocketScope,
  WithUser,
} from '@wsgate/shared';
import { authMiddlewareStack } from '../auth/auth-middleware-stack.js';
import { WebsocketConsumer } from '../consumers/websocket-consumer.js';
import type { ConsumerUser } from '../consumers/websocket-consumer.js';
import { route } from '../routing/route.js';
import { urlRouter } from '../routing/url-router.js';
import { socketAuthMiddleware } from './socket-auth-middleware.js';

interface AppUser extends User {
  readonly id: string;
  readonly name: string;
}
declare const loadUser: (id: string) => Promise<AppUser | null>;
declare const checkPassword: (credentials: unknown) => Promise<AppUser | null>;
const session = { password: 'p'.repeat(32) };

describe('socketAuthMiddleware types', () => {
  it('takes the user type from authenticate and fits inside authMiddlewareStack', () => {
    const app = authMiddlewareStack(
      socketAuthMiddleware(
        async (scope) => {
          expectTypeOf(scope.user).toEqualTypeOf<ScopeUser<AppUser>>();
          return Promise.resolve();
        },
        {
          authenticate: checkPassword,
          serializeUser: (user) => {
            expectTypeOf(user.name).toEqualTypeOf<string>();
            return { id: user.id, name: user.name };
          },
        },
      ),
      { session, loadUser },
    );
    expectTypeOf(app).toEqualTypeOf<Application>();
  });

  it('wraps a router of consumers', () => {
    class Chat extends WebsocketConsumer<WebSocketScope & WithUser<AppUser>> {
      override authChanged(
        user: ConsumerUser<WebSocketScope & WithUser<AppUser>>,
        reason: WebSocketAuthReason,
      ) {
        expectTypeOf(user).toEqualTypeOf<ScopeUser<AppUser>>();
        expectTypeOf(reason).toEqualTypeOf<
          'login' | 'logout' | 'revoked' | 'expired' | 'reverified'
        >();
      }
    }
    const router = urlRouter([route('/ws/chat/', Chat.asApp())]);
    authMiddlewareStack(socketAuthMiddleware(router, { authenticate: checkPassword }), {
      session,
      loadUser,
    });
  });

  it('refuses an authenticate whose user does not fit', () => {
    // @ts-expect-error: authenticate must return a user with an id
    socketAuthMiddleware(async () => Promise.resolve(), { authenticate: () => ({ name: 'x' }) });
  });
});
