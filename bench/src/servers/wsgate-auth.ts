/**
 * The server of the authenticated rows: the whole stack a user would deploy, from
 * @wsgate/server's public exports. HTTP has a login view that sets a real session cookie;
 * WebSocket goes through originValidator, then cookies, session and user
 * (authMiddlewareStack), then urlRouter, then a consumer that accepts only authenticated
 * users. `--cache-size <n>` sets the session's unseal cache (0 turns it off; default: the
 * library's default). `--socket-auth` adds socketAuthMiddleware, which @wsgate/client needs
 * (it answers the client's `auth.whoami`), with an in-socket login like the HTTP one.
 * `--port <n>` listens there rather than on a free port (a restart comes back on its port).
 */
import { parseArgs } from 'node:util';
import {
  authMiddlewareStack,
  JsonWebsocketConsumer,
  login,
  originValidator,
  protocolTypeRouter,
  route,
  serve,
  socketAuthMiddleware,
  urlRouter,
} from '@wsgate/server';
import type {
  Application,
  HttpScope,
  Receive,
  Send,
  SessionOptions,
  WebSocketScope,
  WithSession,
  WithUser,
} from '@wsgate/server';
import { authFixture } from '../auth-fixture.js';
import { benchUsers } from './bench-users.js';
import type { BenchUser } from './bench-users.js';
import { runServerEntry } from './server-entry.js';

const { values: flags } = parseArgs({
  options: {
    'cache-size': { type: 'string' },
    'socket-auth': { type: 'boolean', default: false },
    port: { type: 'string', default: '0' },
  },
});
const cacheSize = flags['cache-size'] === undefined ? undefined : Number(flags['cache-size']);

const users = benchUsers();

const session: SessionOptions = {
  password: authFixture.sessionPassword,
  ...(cacheSize !== undefined && { cacheSize }),
};
const auth = { session, loadUser: (id: string) => users.get(id) ?? null };

/** A login form is a few bytes; more is not a login. */
const maxBodyBytes = 1_024;

/** The request body, or undefined when it is too big or the client went away. */
async function readBody(receive: Receive): Promise<string | undefined> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const event = await receive();
    if (event.type === 'http.disconnect') return undefined;
    if (event.type !== 'http.request') continue;
    size += event.body.byteLength;
    if (size > maxBodyBytes) return undefined;
    chunks.push(event.body);
    if (event.moreBody !== true) return Buffer.concat(chunks).toString('utf8');
  }
}

async function respond(send: Send, status: number): Promise<void> {
  await send({ type: 'http.response.start', status });
  await send({ type: 'http.response.body' });
}

/**
 * POST `username=<id>`: logs that user in, with no password (a password hash would only add
 * the same cost to every login, outside the measured windows). The session middleware turns
 * the changed session into the Set-Cookie.
 */
const loginView: Application<HttpScope & WithSession & WithUser<BenchUser>> = async (
  scope,
  receive,
  send,
) => {
  if (scope.method !== 'POST') return respond(send, 405);
  const body = await readBody(receive);
  const username = body === undefined ? null : new URLSearchParams(body).get('username');
  const user = username === null ? undefined : users.get(username);
  if (user === undefined) return respond(send, 401);
  await login(scope, user);
  return respond(send, 204);
};

/** Accepts authenticated users only, and tells each message's sender who it is. */
class WhoAmIConsumer extends JsonWebsocketConsumer<
  WebSocketScope & WithSession & WithUser<BenchUser>
> {
  override async connect(): Promise<void> {
    // So a handshake that lost its user on the way is a failure the load tallies, not a count.
    if (this.scope.user.isAuthenticated) await this.accept();
    else await this.close(4401, 'not authenticated');
  }

  override async receiveJson(): Promise<void> {
    await this.sendJson({ user: this.scope.user.id });
  }
}

const sockets = urlRouter([route('/echo/', WhoAmIConsumer.asApp())]);
/** `auth.login {credentials: {username}}`: the user, with no password, as the login view. */
const authenticate = (credentials: unknown): BenchUser | undefined => {
  const { username } = (credentials ?? {}) as { username?: unknown };
  return typeof username === 'string' ? users.get(username) : undefined;
};

const app = protocolTypeRouter({
  http: authMiddlewareStack<BenchUser, HttpScope>(
    urlRouter([route(authFixture.loginPath, loginView)]),
    auth,
  ),
  websocket: originValidator(
    authMiddlewareStack(
      flags['socket-auth'] ? socketAuthMiddleware(sockets, { authenticate }) : sockets,
      auth,
    ),
    [authFixture.origin],
  ),
});

await runServerEntry(async () => {
  const server = await serve(app, { port: Number(flags.port), host: '127.0.0.1' });
  return { port: server.port, close: () => server.close() };
});
