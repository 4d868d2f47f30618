import type {
  Application,
  HttpScope,
  ScopeUser,
  WebSocketScope,
  WithSession,
} from '@wsgate/shared';
import { describe, expect, it } from 'vitest';
import { sessionPassword, userTable, websocketScope } from '../../test/fixtures/users.js';
import type { TestUser } from '../../test/fixtures/users.js';
import { WsgateError } from '../errors.js';
import { route } from '../routing/route.js';
import { urlRouter } from '../routing/url-router.js';
import { HttpCommunicator } from '../testing/http-communicator.js';
import { WebsocketCommunicator } from '../testing/websocket-communicator.js';
import { anonymousUser } from './anonymous-user.js';
import { authMiddleware } from './auth-middleware.js';
import { authMiddlewareStack } from './auth-middleware-stack.js';
import { getUser } from './get-user.js';
import { login } from './login.js';
import { hashesMatch } from './session-user.js';

/** An HTTP app behind the whole stack that logs `who` in (if given) and answers 204. */
function loginApp(table: ReturnType<typeof userTable>, who?: TestUser): Application<HttpScope> {
  return authMiddlewareStack<TestUser, HttpScope>(
    async (scope, receive, send) => {
      await receive();
      if (who !== undefined) await login(scope, who);
      await send({ type: 'http.response.start', status: 204 });
      await send({ type: 'http.response.body' });
    },
    { session: { password: sessionPassword }, loadUser: table.loadUser },
  );
}

async function sessionCookie(app: Application<HttpScope>, cookie?: string): Promise<string> {
  const headers: Array<[string, string]> = cookie === undefined ? [] : [['cookie', cookie]];
  const response = await new HttpCommunicator(app, 'POST', '/login', { headers }).getResponse();
  const setCookie = response.headers.find(([name]) => name === 'set-cookie')?.[1] ?? '';
  return setCookie.split(';')[0] ?? '';
}

/** Connects to a socket behind the stack and reports the user it saw. */
async function socketUser(
  table: ReturnType<typeof userTable>,
  cookie?: string,
): Promise<{ user: ScopeUser<TestUser> | undefined; later: ScopeUser | undefined }> {
  let user: ScopeUser<TestUser> | undefined;
  let later: ScopeUser | undefined;
  const app = authMiddlewareStack<TestUser, WebSocketScope>(
    async (scope, receive, send) => {
      await receive();
      user = scope.user;
      // A copy of the scope further in still reaches loadUser.
      const copied = { ...scope, extra: true };
      later = await getUser(copied);
      await send({ type: 'websocket.close' });
    },
    { session: { password: sessionPassword }, loadUser: table.loadUser },
  );
  const headers: Array<[string, string]> = cookie === undefined ? [] : [['cookie', cookie]];
  const communicator = new WebsocketCommunicator(app, '/ws/', { headers });
  await communicator.connect();
  await communicator.wait();
  return { user, later };
}

const noop = (): Promise<void> => Promise.resolve();

describe('authMiddleware', () => {
  it('is anonymous without a session user, and never calls loadUser then', async () => {
    const table = userTable();
    const { user } = await socketUser(table);
    expect(user).toBe(anonymousUser);
    expect(table.loaded).toEqual([]);
  });

  it('authenticates a socket from the cookie an HTTP login set', async () => {
    const table = userTable();
    const cookie = await sessionCookie(loginApp(table, table.alice));
    const { user, later } = await socketUser(table, cookie);
    expect(user).toEqual({ ...table.alice, isAuthenticated: true });
    expect(user).not.toBe(table.alice);
    expect(table.alice).not.toHaveProperty('isAuthenticated');
    expect(later).toEqual(user);
  });

  it('is anonymous once the user is deleted', async () => {
    const table = userTable();
    const cookie = await sessionCookie(loginApp(table, table.alice));
    table.users.delete(table.alice.id);
    expect((await socketUser(table, cookie)).user).toBe(anonymousUser);
  });

  it('flushes the session and deletes the cookie when the sessionAuthHash changed', async () => {
    const table = userTable();
    const app = loginApp(table, table.alice);
    const cookie = await sessionCookie(app);
    table.alice.sessionAuthHash = 'alice-v2';
    expect((await socketUser(table, cookie)).user).toBe(anonymousUser);
    const response = await new HttpCommunicator(loginApp(table), 'GET', '/', {
      headers: [['cookie', cookie]],
    }).getResponse();
    expect(response.headers).toContainEqual([
      'set-cookie',
      expect.stringMatching(/^wsgate\.session=; Max-Age=0/),
    ]);
  });

  it('keeps a wrapped urlRouter nestable under a route prefix', async () => {
    const table = userTable();
    let room: string | undefined;
    const chat = authMiddlewareStack(
      urlRouter([
        route('chat/:room/', async (scope, receive, send) => {
          await receive();
          room = scope.urlRoute.kwargs.room;
          await send({ type: 'websocket.accept' });
        }),
      ]),
      { session: { password: sessionPassword }, loadUser: table.loadUser },
    );
    const app = urlRouter([route('/ws/', chat)]);
    const communicator = new WebsocketCommunicator(app, '/ws/chat/lobby/');
    expect(await communicator.connect()).toEqual([true, null]);
    expect(room).toBe('lobby');
  });

  it('says how to fix a missing session, at request time', async () => {
    const app = authMiddleware(noop, { loadUser: () => null });
    const error = await app(
      websocketScope() as WebSocketScope & WithSession,
      () => new Promise(() => undefined),
      noop,
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WsgateError);
    expect(String(error)).toMatch(
      /authMiddleware needs a session in scope\. Wrap the application in authMiddlewareStack, or in sessionMiddlewareStack\./,
    );
  });

  it('refuses a missing loadUser at construction', () => {
    expect(() => authMiddleware(noop, {} as never)).toThrow(/needs \{ loadUser/);
    expect(() =>
      authMiddlewareStack(noop, {
        session: { password: sessionPassword },
      } as never),
    ).toThrow(/needs \{ loadUser/);
  });
});

describe('anonymousUser', () => {
  it('is frozen', () => {
    expect(Object.isFrozen(anonymousUser)).toBe(true);
    expect(anonymousUser).toEqual({ id: null, isAuthenticated: false });
  });
});

describe('hashesMatch', () => {
  it('compares hashes of any lengths', () => {
    expect(hashesMatch('abc', 'abc')).toBe(true);
    expect(hashesMatch('abc', 'abd')).toBe(false);
    expect(hashesMatch('short', 'a much longer hash value')).toBe(false);
    expect(hashesMatch('', '')).toBe(true);
  });
});
