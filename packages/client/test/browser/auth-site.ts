/**
 * The whole server stack the browser tests run against, wired as an application would:
 * `authMiddlewareStack(socketAuthMiddleware(urlRouter(...)))` for sockets, `sessionEndpoint`
 * for the ticket exchange, on one origin with the test page (see TestSite). Users live in an
 * in-memory table.
 */
import type { User, WebSocketScope, WithUser } from '@wsgate/server';
import {
  authMiddlewareStack,
  JsonWebsocketConsumer,
  route,
  sessionEndpoint,
  socketAuthMiddleware,
  urlRouter,
} from '@wsgate/server';
import { TestSite } from './test-site.js';

export interface BrowserTestUser extends User {
  readonly id: string;
  readonly username: string;
}

/** Passwords are kept beside the users, never in them: users are what the wire may show. */
const accounts = new Map<string, { password: string; user: BrowserTestUser }>([
  ['ada', { password: 'lovelace', user: { id: '1', username: 'ada' } }],
  ['grace', { password: 'hopper', user: { id: '2', username: 'grace' } }],
]);

export const session = {
  password: 'browser-tests-session-password-0123456789',
  cookieName: 'wsgate.session',
};

/** Frames the consumer understands: an echo, and a request to be thrown out with 4403. */
export type TestFrame = { type: 'test.echo'; text: string } | { type: 'test.forbid' };

/** What the consumer answers to `test.echo`: the text, and who it sees in its scope. */
export interface EchoReply {
  readonly echo: string;
  readonly userId: string | null;
}

/** The application's consumer: echoes, and says who it sees; forbids on request. */
class EchoConsumer extends JsonWebsocketConsumer<WebSocketScope & WithUser<BrowserTestUser>> {
  override async receiveJson(content: unknown): Promise<void> {
    const frame = content as TestFrame;
    if (frame.type === 'test.forbid') return this.close(4403, 'forbidden by the test');
    const reply: EchoReply = { echo: frame.text, userId: this.scope.user.id };
    await this.sendJson(reply);
  }
}

/** Refuses every connection before accepting it, as an authorisation check would. */
class RefusingConsumer extends JsonWebsocketConsumer {
  override async connect(): Promise<void> {
    await this.close(4403, 'this room is closed to you');
  }
}

/**
 * Starts the site: sockets at `/ws/echo/` and `/ws/refuse/`, the session endpoint at
 * `/wsgate/session`.
 *
 * @example
 * const site = await startAuthSite();
 * await page.goto(site.page({ socket: '/ws/echo/' }));
 */
export function startAuthSite(): Promise<TestSite> {
  const loadUser = (id: string): BrowserTestUser | null =>
    [...accounts.values()].find((account) => account.user.id === id)?.user ?? null;
  const authenticate = (credentials: unknown): BrowserTestUser | null => {
    const { username, password } = (credentials ?? {}) as Record<string, unknown>;
    const account = typeof username === 'string' ? accounts.get(username) : undefined;
    return account !== undefined && account.password === password ? account.user : null;
  };
  const sockets = urlRouter([
    route('/ws/echo/', EchoConsumer.asApp()),
    route('/ws/refuse/', RefusingConsumer.asApp()),
  ]);
  return TestSite.start({
    websocket: authMiddlewareStack(socketAuthMiddleware(sockets, { authenticate }), {
      session,
      loadUser,
    }),
    http: [route('/wsgate/session', sessionEndpoint({ session }))],
  });
}
