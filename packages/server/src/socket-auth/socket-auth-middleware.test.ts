import type { Application, Scope, WebSocketScope, WithSession, WithUser } from '@wsgate/shared';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { authMiddlewareStack } from '../auth/auth-middleware-stack.js';
import { login } from '../auth/login.js';
import { Semaphore } from '../limits/semaphore.js';
import type { Logger } from '../logger.js';
import { route } from '../routing/route.js';
import { urlRouter } from '../routing/url-router.js';
import { isUrlRouter } from '../routing/url-router-mark.js';
import { HttpCommunicator } from '../testing/http-communicator.js';
import { WebsocketCommunicator } from '../testing/websocket-communicator.js';
import { sessionPassword, userTable } from '../../test/fixtures/users.js';
import type { TestUser } from '../../test/fixtures/users.js';
import { socketAuthMiddleware } from './socket-auth-middleware.js';
import type { SocketAuthOptions } from './socket-auth-options.js';

type AppScope = Scope & WithSession & WithUser<TestUser>;

const communicators: WebsocketCommunicator[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const communicator of communicators.splice(0)) await communicator.disconnect();
});

function quietLogger() {
  const errors: string[] = [];
  const logger: Logger = {
    debug() {},
    info() {},
    warn() {},
    error: (message) => errors.push(message),
  };
  return { logger, errors };
}

/** Accepts, then reports every event it receives (after the connect) as a JSON frame. */
const reporter: Application<AppScope> = async (scope, receive, send) => {
  for (;;) {
    const event = await receive();
    if (event.type === 'websocket.connect') await send({ type: 'websocket.accept' });
    else if (event.type === 'websocket.disconnect') return;
    else if (event.type === 'websocket.auth') {
      const text = JSON.stringify({ app: event.type, user: event.user.id, reason: event.reason });
      await send({ type: 'websocket.send', text });
    } else if (event.type === 'websocket.receive' && event.text === 'login bob') {
      const { bob } = userTable();
      await login(scope, bob);
      await scope.session.save();
    } else if (event.type === 'websocket.receive') {
      await send({
        type: 'websocket.send',
        text: JSON.stringify({ app: 'echo', text: event.text }),
      });
    }
  }
};

function connect(inner: Application<AppScope>, options: Partial<SocketAuthOptions<TestUser>> = {}) {
  const table = userTable();
  const { logger, errors } = quietLogger();
  const authenticate = (credentials: unknown) => {
    const { username } = credentials as { username: string };
    return [...table.users.values()].find((user) => user.username === username) ?? null;
  };
  const app = authMiddlewareStack(
    socketAuthMiddleware(inner, { authenticate, logger, ...options }),
    { session: { password: sessionPassword }, loadUser: table.loadUser },
  );
  const communicator = new WebsocketCommunicator(app, '/ws/');
  communicators.push(communicator);
  return { communicator, errors, table, app };
}

describe('socketAuthMiddleware', () => {
  it('names authMiddlewareStack when the scope has no session or user', async () => {
    const app = socketAuthMiddleware(reporter, { authenticate: () => null });
    const communicator = new WebsocketCommunicator(app as Application<WebSocketScope>, '/ws/');
    await expect(communicator.connect()).rejects.toThrow(
      /socketAuthMiddleware needs scope.session and scope.user.*authMiddlewareStack/,
    );
  });

  it('passes HTTP requests through untouched', async () => {
    const http: Application = async (_scope, _receive, send) => {
      await send({ type: 'http.response.start', status: 204 });
      await send({ type: 'http.response.body' });
    };
    const app = socketAuthMiddleware(http, { authenticate: () => null });
    const response = await new HttpCommunicator(app as Application, 'GET', '/').getResponse();
    expect(response.status).toBe(204);
  });

  it('keeps a wrapped urlRouter nestable under a route prefix', () => {
    const router = urlRouter([route('chat/', reporter as Application)]);
    expect(isUrlRouter(socketAuthMiddleware(router, { authenticate: () => null }))).toBe(true);
    expect(isUrlRouter(socketAuthMiddleware(reporter, { authenticate: () => null }))).toBe(false);
  });

  it('fails at construction on invalid options', () => {
    expect(() => socketAuthMiddleware(reporter, {} as never)).toThrow(/authenticate/);
  });

  it('sends a ticket for a save made before accept once the socket is open', async () => {
    const saver: Application<AppScope> = async (scope, receive, send) => {
      await receive();
      scope.session.set('theme', 'dark');
      await scope.session.save();
      await send({ type: 'websocket.accept' });
      await receive();
    };
    const { communicator } = connect(saver);
    expect(await communicator.connect()).toEqual([true, null]);
    expect(await communicator.receiveJsonFrom()).toMatchObject({ type: 'session.updated' });
  });

  it("follows the application's own login: a ticket, then websocket.auth", async () => {
    const { communicator } = connect(reporter);
    await communicator.connect();
    await communicator.sendTo({ text: 'login bob' });
    expect(await communicator.receiveJsonFrom()).toMatchObject({ type: 'session.updated' });
    expect(await communicator.receiveJsonFrom()).toEqual({
      app: 'websocket.auth',
      user: '2',
      reason: 'login',
    });
    await communicator.sendJsonTo({ type: 'auth.whoami', id: 1 });
    expect(await communicator.receiveJsonFrom()).toMatchObject({ id: 1, user: { id: '2' } });
  });

  it('tells the application nothing when an anonymous socket logs out', async () => {
    const { communicator } = connect(reporter);
    await communicator.connect();
    await communicator.sendJsonTo({ type: 'auth.logout', id: 1 });
    expect(await communicator.receiveJsonFrom()).toMatchObject({ type: 'session.updated' });
    expect(await communicator.receiveJsonFrom()).toMatchObject({ type: 'auth.result', ok: true });
    await communicator.sendTo({ text: 'app' });
    expect(await communicator.receiveJsonFrom()).toEqual({ app: 'echo', text: 'app' });
  });

  it('answers a failing authenticate with INTERNAL_ERROR and logs why', async () => {
    const { communicator, errors } = connect(reporter, {
      authenticate: () => Promise.reject(new Error('database down')),
    });
    await communicator.connect();
    await communicator.sendJsonTo({
      type: 'auth.login',
      id: 'a',
      credentials: { username: 'bob' },
    });
    expect(await communicator.receiveJsonFrom()).toEqual({
      type: 'error',
      id: 'a',
      code: 'INTERNAL_ERROR',
      message: 'the server could not complete auth.login; try again later',
    });
    expect(errors).toEqual(['socketAuthMiddleware: auth.login failed']);
  });

  it('answers RATE_LIMITED when the authenticate queue is full, and stays open', async () => {
    let release = (): void => {};
    const blocked = new Promise<null>((resolve) => (release = () => resolve(null)));
    const authenticateLimit = new Semaphore(1, { maxQueued: 0 });
    const options = { authenticate: () => blocked, authenticateLimit };
    const first = connect(reporter, options).communicator;
    const second = connect(reporter, options).communicator;
    await first.connect();
    await second.connect();
    await first.sendJsonTo({ type: 'auth.login', id: 1, credentials: { username: 'bob' } });
    await second.sendJsonTo({ type: 'auth.login', id: 2, credentials: { username: 'bob' } });
    expect(await second.receiveJsonFrom()).toMatchObject({
      id: 2,
      ok: false,
      error: { code: 'RATE_LIMITED' },
    });
    release();
    expect(await first.receiveJsonFrom()).toMatchObject({ id: 1, ok: false });
    await second.sendJsonTo({ type: 'session.ping', id: 3 });
    expect(await second.receiveJsonFrom()).toEqual({ type: 'session.pong', id: 3 });
  });

  it('times only logged-in sockets, and leaves no timer behind when one closes', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    const { communicator } = connect(reporter, { reverifyIntervalMs: 60_000 });
    await communicator.connect();
    // An anonymous socket times nothing.
    expect(vi.getTimerCount()).toBe(0);
    await communicator.sendJsonTo({ type: 'auth.login', id: 1, credentials: { username: 'bob' } });
    const frames: Array<{ type?: string; app?: string }> = [];
    for (let i = 0; i < 3; i += 1) frames.push(await communicator.receiveJsonFrom());
    expect(frames.map((frame) => frame.type ?? frame.app).sort()).toEqual([
      'auth.result',
      'session.updated',
      'websocket.auth',
    ]);
    // The expiry and the re-check, both on the middleware's one timer.
    expect(vi.getTimerCount()).toBe(1);
    await communicator.disconnect();
    communicators.splice(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});
