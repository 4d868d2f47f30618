/**
 * A Redis outage under the whole stack, over real loopback sockets: RedisChannelLayer and
 * RedisRevocationStore on a redis-server of the test's own, SIGKILLed while signed-in sockets
 * are open, then started again (empty). What needs no Redis keeps working; what needs it fails
 * closed and says so, to the client with a code and to the operator once per outage; nothing
 * crashes and nothing is dropped without a word; and it all comes back by itself.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HttpScope, WebSocketScope, WithSession, WithUser } from '@wsgate/shared';
import { authMiddlewareStack } from '../src/auth/auth-middleware-stack.js';
import { JsonWebsocketConsumer } from '../src/consumers/json-websocket-consumer.js';
import type { ChannelLayerMessage } from '../src/layers/channel-layer.js';
import { RedisChannelLayer } from '../src/redis/redis-channel-layer.js';
import { RedisRevocationStore } from '../src/redis/redis-revocation-store.js';
import { protocolTypeRouter } from '../src/routing/protocol-type-router.js';
import { route } from '../src/routing/route.js';
import { urlRouter } from '../src/routing/url-router.js';
import { sessionEndpoint } from '../src/socket-auth/session-endpoint.js';
import { socketAuthMiddleware } from '../src/socket-auth/socket-auth-middleware.js';
import type { RunningServer } from '../src/adapter/serve.js';
import { Harness, httpRequest } from './adapter-fixtures.js';
import { httpAuthViews, passwordsMatch } from './examples/http-login-view.js';
import type { Credentials } from './examples/http-login-view.js';
import { sessionPassword, userTable } from './fixtures/users.js';
import type { TestUser } from './fixtures/users.js';
import { recordingLogger, requirePrivateRedis, startPrivateRedis } from './redis-fixtures.js';
import type { PrivateRedis } from './redis-fixtures.js';
import { ProtocolClient, cookieFrom } from './socket-auth-fixtures.js';

const canRun = requirePrivateRedis('the Redis outage tests');

/** Short, so that calls during the outage fail within the test's time. */
const commandTimeout = 300;

type RoomScope = WebSocketScope & WithSession & WithUser<TestUser>;

interface RoomMessage extends ChannelLayerMessage {
  readonly type: 'room.message';
  readonly from: string;
  readonly text: string;
}

/** One room: `{type: 'say', text}` goes to everyone in it over the layer, as a chat would. */
class RoomConsumer extends JsonWebsocketConsumer<RoomScope> {
  override groups = ['room'];

  override async receiveJson(content: unknown): Promise<void> {
    const { text } = content as { text: string };
    const { user } = this.scope;
    const message: RoomMessage = { type: 'room.message', from: String(user.id), text };
    await this.channelLayer?.groupSend('room', message);
  }

  async roomMessage({ from, text }: RoomMessage): Promise<void> {
    await this.sendJson({ type: 'app.message', from, text });
  }
}

describe.skipIf(!canRun)('a Redis outage under the auth stack and a consumer', () => {
  const harness = new Harness();
  let redis: PrivateRedis;
  let layer: RedisChannelLayer;
  let store: RedisRevocationStore;
  let logger: ReturnType<typeof recordingLogger>;
  let server: RunningServer;
  let origin: string;

  beforeEach(async () => {
    redis = await startPrivateRedis();
    logger = recordingLogger();
    const options = { url: redis.url, prefix: 'outage', commandTimeout, logger };
    layer = new RedisChannelLayer(options);
    store = new RedisRevocationStore(options);
    const table = userTable();
    const authenticate = ({ username, password }: Credentials): TestUser | null => {
      const user = [...table.users.values()].find((each) => each.username === username);
      return user !== undefined && passwordsMatch(password, user.password) ? user : null;
    };
    const stack = {
      session: { password: sessionPassword, revocationStore: store, channelLayer: layer, logger },
      loadUser: table.loadUser,
    };
    const views = httpAuthViews<TestUser>(authenticate);
    const http = urlRouter<HttpScope>([
      route('/login', authMiddlewareStack<TestUser, HttpScope>(views.login, stack)),
      route('/logout', authMiddlewareStack<TestUser, HttpScope>(views.logout, stack)),
      route('/wsgate/session', sessionEndpoint({ session: stack.session, logger })),
    ]);
    const websocket = authMiddlewareStack(
      socketAuthMiddleware(RoomConsumer.asApp({ channelLayer: layer, logger }), {
        authenticate: (credentials) => authenticate(credentials as Credentials),
        logger,
      }),
      stack,
    );
    server = await harness.start(protocolTypeRouter({ http, websocket }), { logger });
    origin = server.url;
    await vi.waitFor(
      () => expect([layer.status, store.health().status]).toEqual(['ready', 'ready']),
      {
        timeout: 5000,
        interval: 20,
      },
    );
  });

  afterEach(async () => {
    await harness.cleanup();
    await layer.close();
    store.close();
    await redis.stop();
  });

  async function signIn(username: 'alice' | 'bob'): Promise<string> {
    const password = username === 'alice' ? 'wonderland' : 'builder';
    const response = await httpRequest(`${origin}/login`, {
      method: 'POST',
      headers: { origin, 'content-type': 'application/json' },
      body: [JSON.stringify({ username, password })],
    });
    const cookie = cookieFrom(response);
    if (response.status !== 200 || cookie === undefined) {
      throw new Error(
        `signing in ${username} failed: ${response.status} ${response.body.toString()}`,
      );
    }
    return cookie;
  }

  /** A signed-in socket in the room, having seen a message go round once. */
  async function enter(username: 'alice' | 'bob'): Promise<ProtocolClient> {
    const client = await ProtocolClient.open({ origin }, await signIn(username));
    const { user } = await client.request('auth.whoami');
    expect(user).toMatchObject({ id: username === 'alice' ? '1' : '2' });
    return client;
  }

  async function outage(): Promise<void> {
    await redis.stop();
    await logger.waitFor('warn', /RedisChannelLayer cannot reach Redis/);
    await logger.waitFor('warn', /RedisRevocationStore cannot reach Redis/);
  }

  it('keeps open sockets working, refuses what it cannot check, and says so once', async () => {
    const alice = await enter('alice');
    const bob = await enter('bob');
    alice.send({ type: 'say', text: 'before' });
    await bob.waitFor((frame) => frame.text === 'before', 'the message before the outage');
    const cookie = await signIn('alice');

    await outage();

    // The open sockets: the in-socket protocol needs no Redis.
    expect(await alice.request('session.ping')).toMatchObject({ type: 'session.pong' });
    expect(await bob.request('auth.whoami')).toMatchObject({ ok: true, user: { id: '2' } });

    // A handshake whose cookie cannot be checked: refused, with the reason, twice.
    for (const attempt of [1, 2]) {
      const refused = harness.client(server, '/ws/', [], { headers: { origin, cookie } });
      expect((await refused.handshake()).kind, `handshake ${attempt}`).toBe('open');
      expect(JSON.parse((await refused.message(0)) as string)).toEqual({
        type: 'auth.error',
        code: 1013,
        message: expect.stringMatching(/cannot reach its session store.*try again/),
      });
      expect(await refused.close()).toMatchObject({ code: 1013 });
    }
    // A guest needs no session check, but its consumer cannot join the room: try again later.
    const guest = harness.client(server, '/ws/', [], { headers: { origin } });
    expect((await guest.handshake()).kind).toBe('open');
    expect(await guest.close()).toMatchObject({ code: 1013 });

    // HTTP with a cookie: 503 with the code and Retry-After.
    const response = await httpRequest(`${origin}/login`, { headers: { origin, cookie } });
    expect(response.status).toBe(503);
    expect(response.headers).toContainEqual(['retry-after', '5']);
    expect(JSON.parse(response.body.toString())).toMatchObject({
      code: 'SESSION_STORE_UNAVAILABLE',
    });

    // A ticket from a refresh in the socket cannot be claimed once: the endpoint refuses it.
    const before = bob.frames.length;
    await bob.request('session.refresh');
    const { ticket } = bob.frames.slice(before).find((frame) => frame.type === 'session.updated')!;
    const exchange = await httpRequest(`${origin}/wsgate/session`, {
      method: 'POST',
      headers: { origin, 'content-type': 'application/json' },
      body: [JSON.stringify({ ticket })],
    });
    expect(exchange.status).toBe(503);
    expect(JSON.parse(exchange.body.toString())).toMatchObject({
      code: 'SESSION_STORE_UNAVAILABLE',
    });

    // A message for the room: its sender is told, and its socket stays.
    alice.send({ type: 'say', text: 'during' });
    expect(await alice.next('error')).toEqual({
      type: 'error',
      code: 'LAYER_UNAVAILABLE',
      message: expect.stringMatching(/may not have been delivered; send it again/),
    });
    // A logout that cannot be recorded leaves the user signed in, and says why.
    expect(await bob.request('auth.logout')).toMatchObject({
      type: 'error',
      code: 'SESSION_STORE_UNAVAILABLE',
    });
    expect(await bob.request('auth.whoami')).toMatchObject({ user: { id: '2' } });
    expect(await alice.request('session.ping')).toMatchObject({ type: 'session.pong' });
    expect(alice.ws.readyState).toBe(alice.ws.OPEN);

    // Each piece warned once, nothing logged an error, and the operator can tell why.
    const warnings = logger.lines.filter((line) => line.level === 'warn');
    expect(warnings.map((line) => line.message).sort()).toEqual([
      expect.stringMatching(/^RedisChannelLayer cannot reach Redis/),
      expect.stringMatching(/^RedisRevocationStore cannot reach Redis/),
      expect.stringMatching(/^sessionMiddleware cannot check sessions/),
    ]);
    expect(logger.lines.filter((line) => line.level === 'error')).toEqual([]);
  });

  it('comes back by itself: memberships written again, messages flow, logs and health say so', async () => {
    const alice = await enter('alice');
    const bob = await enter('bob');
    const cookie = await signIn('bob');
    await outage();
    expect(layer.health()).toMatchObject({ status: 'reconnecting', lastError: expect.any(String) });
    expect(store.health()).toMatchObject({ status: 'reconnecting', lastError: expect.any(String) });
    const refused = harness.client(server, '/ws/', [], { headers: { origin, cookie } });
    expect(await refused.close()).toMatchObject({ code: 1013 });

    await redis.start();
    await logger.waitFor('info', /RedisChannelLayer wrote back the group memberships/);
    await logger.waitFor('info', /RedisRevocationStore reached Redis .* again/);
    expect(layer.health()).toMatchObject({ status: 'ready', attempts: 0 });
    expect(store.health()).toMatchObject({ status: 'ready', attempts: 0 });

    // Redis came back empty: only the written-back memberships put alice and bob in the room.
    alice.send({ type: 'say', text: 'after' });
    expect(await bob.next('app.message')).toMatchObject({ from: '1', text: 'after' });
    const again = await ProtocolClient.open({ origin }, cookie);
    expect(await again.request('auth.whoami')).toMatchObject({ user: { id: '2' } });
    await logger.waitFor('info', /sessionMiddleware checks sessions again/);
    expect(logger.lines.filter((line) => line.level === 'error')).toEqual([]);
  });
});
