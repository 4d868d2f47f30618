/**
 * The auth stack over real sockets: log in over HTTP, get a Set-Cookie, open a WebSocket with
 * that cookie and find the user in the consumer's scope. HTTP and WebSocket run behind two
 * separate `authMiddlewareStack`s, as most applications wire them.
 */
import type { Application, HttpScope, WebSocketScope, WithSession, WithUser } from '@wsgate/shared';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { authMiddlewareStack } from '../src/auth/auth-middleware-stack.js';
import { JsonWebsocketConsumer } from '../src/consumers/json-websocket-consumer.js';
import { protocolTypeRouter } from '../src/routing/protocol-type-router.js';
import { route } from '../src/routing/route.js';
import { urlRouter } from '../src/routing/url-router.js';
import { newSessionId, sealSession } from '../src/sessions/seal-session.js';
import { createSessionCodec } from '../src/sessions/session-codec.js';
import type { SessionOptions } from '../src/sessions/session-options.js';
import { Harness, httpRequest, RecordingLogger } from './adapter-fixtures.js';
import type { HttpResult } from './adapter-fixtures.js';
import { httpAuthViews, passwordsMatch } from './examples/http-login-view.js';
import { sessionPassword, userTable } from './fixtures/users.js';
import type { TestUser } from './fixtures/users.js';

type SocketScope = WebSocketScope & WithSession & WithUser<TestUser>;

/** Tells the client who it is, as its scope says, then stays open. */
class WhoAmIConsumer extends JsonWebsocketConsumer<SocketScope> {
  override async connect(): Promise<void> {
    await this.accept();
    const { user, session } = this.scope;
    await this.sendJson({ user, sessionId: session.id, cart: session.get('cart') ?? null });
  }
}

interface WhoAmI {
  readonly user: { readonly id: string | null; readonly isAuthenticated: boolean };
  readonly sessionId: string;
  readonly cart: unknown;
}

/** An anonymous visit that leaves something in the session, before any login. */
const visit: Application<HttpScope & WithSession> = async (scope, receive, send) => {
  scope.session.set('cart', ['book']);
  await send({ type: 'http.response.start', status: 204 });
  await send({ type: 'http.response.body' });
};

/** Stores more than a cookie can hold. */
const hoard: Application<HttpScope & WithSession> = async (scope, receive, send) => {
  scope.session.set('everything', 'x'.repeat(5000));
  await send({ type: 'http.response.start', status: 200 });
  await send({ type: 'http.response.body' });
};

const harness = new Harness();

afterEach(async () => {
  vi.useRealTimers();
  await harness.cleanup();
});

async function start(session: SessionOptions = { password: sessionPassword }) {
  const table = userTable();
  const logger = new RecordingLogger();
  const views = httpAuthViews<TestUser>(({ username, password }) => {
    const user = [...table.users.values()].find((candidate) => candidate.username === username);
    return user !== undefined && passwordsMatch(password, user.password) ? user : null;
  });
  const options = { session, loadUser: table.loadUser };
  const http = authMiddlewareStack<TestUser, HttpScope>(
    urlRouter([
      route('/login', views.login),
      route('/logout', views.logout),
      route('/visit', visit),
      route('/hoard', hoard),
    ]),
    options,
  );
  const websocket = authMiddlewareStack(WhoAmIConsumer.asApp(), options);
  const server = await harness.start(protocolTypeRouter({ http, websocket }), { logger });
  return { ...table, server, logger };
}

type Server = Awaited<ReturnType<typeof start>>['server'];

function setCookies(response: HttpResult): string[] {
  return response.headers.filter(([name]) => name === 'set-cookie').map(([, value]) => value);
}

/** `name=value` of the first Set-Cookie, for a Cookie header. */
function cookieOf(response: HttpResult): string {
  return setCookies(response)[0]?.split(';')[0] ?? '';
}

function post(server: Server, path: string, body: string, headers: Record<string, string>) {
  return httpRequest(`${server.url}${path}`, { method: 'POST', headers, body: [body] });
}

function logIn(server: Server, username: string, password: string, cookie?: string) {
  return post(server, '/login', new URLSearchParams({ username, password }).toString(), {
    'content-type': 'application/x-www-form-urlencoded',
    ...(cookie === undefined ? {} : { cookie }),
  });
}

/** Opens a WebSocket with `cookie` and returns what the consumer saw. */
async function whoAmI(server: Server, cookie?: string): Promise<WhoAmI> {
  const headers = cookie === undefined ? {} : { cookie };
  const client = harness.client(server, '/ws/', [], { headers });
  expect((await client.handshake()).kind).toBe('open');
  return JSON.parse(String(await client.message(0))) as WhoAmI;
}

describe('log in over HTTP, authenticated over WebSocket', () => {
  it('carries the user from an HTTP login to the socket through the cookie', async () => {
    const { server } = await start();
    const response = await logIn(server, 'alice', 'wonderland');
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body.toString())).toEqual({ ok: true, user: { id: '1' } });
    expect(setCookies(response)).toHaveLength(1);
    expect(setCookies(response)[0]).toMatch(/HttpOnly/);
    const { user } = await whoAmI(server, cookieOf(response));
    expect(user).toMatchObject({ id: '1', username: 'alice', isAuthenticated: true });
  });

  it('takes JSON too, and answers 401 and 400 without a cookie', async () => {
    const { server } = await start();
    const json = { 'content-type': 'application/json' };
    const ok = await post(server, '/login', '{"username":"bob","password":"builder"}', json);
    expect(ok.status).toBe(200);
    expect((await whoAmI(server, cookieOf(ok))).user.id).toBe('2');
    const wrong = await post(server, '/login', '{"username":"bob","password":"nope"}', json);
    expect(wrong.status).toBe(401);
    expect(setCookies(wrong)).toEqual([]);
    for (const body of ['{"username":', '{"username":"bob"}', '[]']) {
      const malformed = await post(server, '/login', body, json);
      expect(malformed.status, body).toBe(400);
      expect(setCookies(malformed)).toEqual([]);
    }
  });

  it('answers other methods, types and oversized bodies with 405, 415 and 413', async () => {
    const { server } = await start();
    expect((await httpRequest(`${server.url}/login`)).status).toBe(405);
    const text = await post(server, '/login', 'alice:wonderland', { 'content-type': 'text/plain' });
    expect(text.status).toBe(415);
    const huge = await post(server, '/login', `username=${'a'.repeat(20_000)}`, {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(huge.status).toBe(413);
  });

  it('gives an anonymous socket without a cookie', async () => {
    const { server, loaded } = await start();
    expect((await whoAmI(server)).user).toEqual({ id: null, isAuthenticated: false });
    expect(loaded).toEqual([]);
  });

  it('changes the session id on login, keeping the anonymous session’s data (fixation)', async () => {
    const { server } = await start();
    const visit = await httpRequest(`${server.url}/visit`);
    const before = await whoAmI(server, cookieOf(visit));
    const login = await logIn(server, 'alice', 'wonderland', cookieOf(visit));
    const after = await whoAmI(server, cookieOf(login));
    expect(after.sessionId).not.toBe(before.sessionId);
    expect(after.cart).toEqual(['book']);
    expect(after.user.isAuthenticated).toBe(true);
  });

  it('is anonymous with a tampered cookie', async () => {
    const { server } = await start();
    const cookie = cookieOf(await logIn(server, 'alice', 'wonderland'));
    const tampered = cookie.replace(
      /\*(\d{13})\*/,
      (_, expiry: string) => `*${Number(expiry) + 1}*`,
    );
    expect(tampered).not.toBe(cookie);
    expect((await whoAmI(server, tampered)).user.isAuthenticated).toBe(false);
  });

  it('is anonymous with an expired seal', async () => {
    const { server } = await start();
    const codec = createSessionCodec(sessionPassword);
    // Sealed for alice two hours ago, for one hour.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() - 2 * 3600_000 });
    const data = { _auth_user_id: '1', _auth_user_hash: 'alice-v1' };
    const { seal } = await sealSession(codec, { id: newSessionId(), data }, 3600);
    vi.useRealTimers();
    expect((await whoAmI(server, `wsgate.session=${seal}`)).user.isAuthenticated).toBe(false);
  });

  it('opens old seals after a password rotation, and seals new ones with the newest id', async () => {
    const before = await start();
    const old = cookieOf(await logIn(before.server, 'alice', 'wonderland'));
    const after = await start({ password: { 1: sessionPassword, 2: 'r'.repeat(32) } });
    expect((await whoAmI(after.server, old)).user.id).toBe('1');
    const fresh = cookieOf(await logIn(after.server, 'bob', 'builder'));
    expect(fresh).toMatch(/^wsgate\.session=Fe26\.2\*2\*/);
    expect((await whoAmI(after.server, fresh)).user.id).toBe('2');
  });

  it('fails an oversized session with a 500 and a logged error naming its size', async () => {
    const { server, logger } = await start();
    const response = await httpRequest(`${server.url}/hoard`);
    expect(response.status).toBe(500);
    expect(setCookies(response)).toEqual([]);
    const entry = await logger.waitFor('http application failed');
    expect(String(entry.details?.error)).toMatch(
      /session cookie would be \d+ bytes, over browsers' limit of 4096/,
    );
  });

  it('is anonymous once the user is deleted between requests', async () => {
    const { server, users } = await start();
    const cookie = cookieOf(await logIn(server, 'alice', 'wonderland'));
    users.delete('1');
    expect((await whoAmI(server, cookie)).user.isAuthenticated).toBe(false);
  });

  it('is anonymous, with the session flushed, once the sessionAuthHash changed', async () => {
    const { server, alice } = await start();
    const visit = await httpRequest(`${server.url}/visit`);
    const cookie = cookieOf(await logIn(server, 'alice', 'wonderland', cookieOf(visit)));
    alice.sessionAuthHash = 'alice-v2'; // the password changed
    const seen = await whoAmI(server, cookie);
    expect(seen.user.isAuthenticated).toBe(false);
    expect(seen.cart).toBeNull();
  });

  it('keeps concurrent connections in separate scopes', async () => {
    const { server } = await start();
    const [alice, bob] = await Promise.all([
      logIn(server, 'alice', 'wonderland'),
      logIn(server, 'bob', 'builder'),
    ]);
    const seen = await Promise.all([
      whoAmI(server, cookieOf(alice)),
      whoAmI(server, cookieOf(bob)),
      whoAmI(server, cookieOf(alice)),
      whoAmI(server),
    ]);
    expect(seen.map(({ user }) => user.id)).toEqual(['1', '2', '1', null]);
  });

  it('refuses the old cookie after logout, even replayed to the other stack', async () => {
    const { server } = await start();
    const cookie = cookieOf(await logIn(server, 'alice', 'wonderland'));
    expect((await whoAmI(server, cookie)).user.isAuthenticated).toBe(true);
    const logout = await post(server, '/logout', '', { cookie });
    expect(logout.status).toBe(204);
    expect(setCookies(logout)[0]).toMatch(/^wsgate\.session=; Max-Age=0/);
    expect((await whoAmI(server, cookie)).user.isAuthenticated).toBe(false);
  });

  it('uses the first of two cookies with the session’s name', async () => {
    const { server } = await start();
    const alice = cookieOf(await logIn(server, 'alice', 'wonderland'));
    const bob = cookieOf(await logIn(server, 'bob', 'builder'));
    expect((await whoAmI(server, `${alice}; ${bob}`)).user.id).toBe('1');
    expect((await whoAmI(server, `${bob}; ${alice}`)).user.id).toBe('2');
  });
});
