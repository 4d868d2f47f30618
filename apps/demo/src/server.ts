// wsgate's demo: the whole stack on one screen. main.ts runs it (`npm start`).
import {
  LoginThrottle,
  Semaphore,
  allowedHostsOriginValidator,
  authMiddlewareStack,
  protocolTypeRouter,
  rateLimitMiddleware,
  route,
  sessionEndpoint,
  socketAuthMiddleware,
  urlRouter,
} from '@wsgate/server';
import type { Application, ChannelLayer, LoginThrottleStore, SessionOptions } from '@wsgate/server';
import { authViews } from './auth-views.js';
import { ChatConsumer } from './chat-consumer.js';
import { healthView } from './health-view.js';
import type { BackendsHealth } from './health-view.js';
import { staticFiles } from './static-files.js';
import type { StaticFile } from './static-files.js';
import type { DemoUser, UserStore } from './user-store.js';

/** What the demo is made of; main.ts picks them from the environment. */
export interface DemoOptions {
  readonly users: UserStore;
  /** Password, revocation store and channel layer: the one session config of HTTP and sockets. */
  readonly session: SessionOptions & { readonly channelLayer: ChannelLayer };
  /** Where failed sign-ins are counted: shared by every node, so spreading guesses gains nothing. */
  readonly loginThrottleStore: LoginThrottleStore;
  /** What GET /healthz reports: each backend's readiness. */
  readonly health: () => BackendsHealth;
  /** Hosts whose pages may open sockets (Django's ALLOWED_HOSTS). */
  readonly allowedHosts: readonly string[];
  /** The page and its assets, by URL path. */
  readonly pages: ReadonlyMap<string, StaticFile>;
}

/**
 * The demo as one wsgate application: pages and forms over HTTP, chat rooms over WebSocket.
 *
 * @example
 * const { channelLayer, revocationStore, loginThrottleStore, health } = chooseBackends(env, db);
 * const session = { password, channelLayer, revocationStore };
 * serve(demoApp({ users, session, loginThrottleStore, health, allowedHosts, pages }));
 */
export function demoApp(options: DemoOptions): Application {
  const { users, session, loginThrottleStore, health, allowedHosts, pages } = options;
  const { channelLayer } = session;
  const auth = { session, loadUser: (id: string) => users.findById(id) };
  // Sign-ins over HTTP and in the socket share one failure count and one scrypt queue.
  const loginThrottle = new LoginThrottle({ store: loginThrottleStore });
  const hashing = new Semaphore(2, { maxQueued: 100 });
  const authenticate = (credentials: unknown) => {
    const { username, password } = (credentials ?? {}) as Record<string, unknown>;
    if (typeof username !== 'string' || typeof password !== 'string') return null;
    return users.authenticate(username, password);
  };

  const pagesAndForms = urlRouter([
    ...authViews({ users, channelLayer, loginThrottle, hashing }),
    route(/^/, staticFiles(pages)),
  ]);
  const chatRooms = urlRouter([route('/ws/chat/:room/', ChatConsumer.asApp({ channelLayer }))]);

  return protocolTypeRouter({
    http: urlRouter([
      route('/healthz', healthView(health)),
      route('/wsgate/session', sessionEndpoint({ session })),
      route(/^/, authMiddlewareStack(pagesAndForms, auth)),
    ]),
    websocket: allowedHostsOriginValidator(
      authMiddlewareStack(
        rateLimitMiddleware(
          socketAuthMiddleware(chatRooms, {
            authenticate,
            serializeUser: (user: DemoUser) => ({ id: user.id, username: user.username }),
            loginThrottle,
            authenticateLimit: hashing,
            // The backstop for a lost "log out everywhere" notice (see ChatConsumer).
            reverifyIntervalMs: 60_000,
          }),
        ),
        auth,
      ),
      allowedHosts,
    ),
  });
}
