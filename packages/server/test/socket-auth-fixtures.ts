/**
 * A server with the whole in-socket auth stack, as an application wires it: sockets behind
 * `authMiddlewareStack(socketAuthMiddleware(consumer))`, the session endpoint at
 * `/wsgate/session`, HTTP login/logout views behind the same session options; and a protocol
 * client that keeps every frame it gets, parsed, and can wait for one.
 */
import { once } from 'node:events';
import WebSocket from 'ws';
import type { HttpScope, WebSocketAuthReason, WebSocketScope } from '@wsgate/shared';
import type { WithSession, WithUser } from '@wsgate/shared';
import { authMiddlewareStack } from '../src/auth/auth-middleware-stack.js';
import { JsonWebsocketConsumer } from '../src/consumers/json-websocket-consumer.js';
import type { ConsumerUser } from '../src/consumers/websocket-consumer.js';
import type { ServeOptions } from '../src/adapter/serve.js';
import { protocolTypeRouter } from '../src/routing/protocol-type-router.js';
import { route } from '../src/routing/route.js';
import { urlRouter } from '../src/routing/url-router.js';
import type { SessionOptions } from '../src/sessions/session-options.js';
import { sessionEndpoint } from '../src/socket-auth/session-endpoint.js';
import type { SessionEndpointOptions } from '../src/socket-auth/session-endpoint.js';
import { socketAuthMiddleware } from '../src/socket-auth/socket-auth-middleware.js';
import type { SocketAuthOptions } from '../src/socket-auth/socket-auth-options.js';
import { httpAuthViews, passwordsMatch } from './examples/http-login-view.js';
import type { Credentials } from './examples/http-login-view.js';
import { RecordingLogger, within } from './adapter-fixtures.js';
import type { Harness, HttpResult } from './adapter-fixtures.js';
import { httpRequest } from './adapter-fixtures.js';
import { sessionPassword, userTable } from './fixtures/users.js';
import type { TestUser } from './fixtures/users.js';

type SocketScope = WebSocketScope & WithSession & WithUser<TestUser>;

/**
 * Answers `{type: 'app.who'}` with who its scope says it is, echoes anything else, and reports
 * every `authChanged` as `{type: 'app.auth', user, reason}`.
 */
class AppConsumer extends JsonWebsocketConsumer<SocketScope> {
  override async receiveJson(content: unknown): Promise<void> {
    if ((content as { type?: unknown }).type !== 'app.who') return this.sendJson({ echo: content });
    const { user, session } = this.scope;
    await this.sendJson({ type: 'app.who', user: user.id, session: session.id });
  }

  override async authChanged(user: ConsumerUser<SocketScope>, reason: WebSocketAuthReason) {
    await this.sendJson({ type: 'app.auth', user: user.id, reason });
  }
}

export interface StackOptions {
  readonly session?: Partial<SessionOptions>;
  readonly socket?: Partial<SocketAuthOptions<TestUser>>;
  readonly endpoint?: Partial<SessionEndpointOptions>;
  readonly serve?: ServeOptions;
}

/** Starts the stack on `harness`; users are alice/wonderland and bob/builder. */
export async function startStack(harness: Harness, options: StackOptions = {}) {
  const table = userTable();
  const logger = new RecordingLogger();
  const session: SessionOptions = { password: sessionPassword, ...options.session };
  const authenticate = (credentials: unknown): TestUser | null => {
    const { username, password } = (credentials ?? {}) as Partial<Credentials>;
    const user = [...table.users.values()].find((candidate) => candidate.username === username);
    return user !== undefined && passwordsMatch(String(password), user.password) ? user : null;
  };
  const stack = { session, loadUser: table.loadUser };
  const views = httpAuthViews<TestUser>(authenticate);
  const websocket = authMiddlewareStack(
    socketAuthMiddleware(AppConsumer.asApp(), { authenticate, logger, ...options.socket }),
    stack,
  );
  const http = urlRouter<HttpScope>([
    route('/wsgate/session', sessionEndpoint({ session, logger, ...options.endpoint })),
    route('/login', authMiddlewareStack<TestUser, HttpScope>(views.login, stack)),
    route('/logout', authMiddlewareStack<TestUser, HttpScope>(views.logout, stack)),
  ]);
  const server = await harness.start(protocolTypeRouter({ http, websocket }), {
    logger,
    ...options.serve,
  });
  const origin = server.url;
  return { ...table, server, logger, origin, session };
}

export type Stack = Awaited<ReturnType<typeof startStack>>;

export type Frame = Record<string, unknown> & { readonly type?: string };

/** A raw `ws` client speaking the protocol by hand; every text frame is kept, parsed. */
export class ProtocolClient {
  readonly ws: WebSocket;
  readonly frames: Frame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  #waiters: Array<() => void> = [];
  #nextId = 1;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    this.ws.on('error', () => {});
    this.ws.on('message', (data: Buffer, isBinary) => {
      this.frames.push(
        isBinary ? { type: 'binary', data } : (JSON.parse(data.toString()) as Frame),
      );
      for (const waiter of this.#waiters.splice(0)) waiter();
    });
    this.closed = once(this.ws, 'close').then(([code, reason]) => ({
      code: code as number,
      reason: (reason as Buffer).toString(),
    }));
  }

  /** Opens a socket to the stack with `cookie`; resolves once it is open. */
  static async open(stack: Pick<Stack, 'origin'>, cookie?: string): Promise<ProtocolClient> {
    const headers = { origin: stack.origin, ...(cookie === undefined ? {} : { cookie }) };
    const client = new ProtocolClient(
      new WebSocket(`${stack.origin.replace(/^http/, 'ws')}/ws/`, { headers }),
    );
    await within(once(client.ws, 'open'), 'the socket to open');
    return client;
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Sends a request with a fresh id and waits for the reply that echoes it. */
  async request(type: string, fields: Record<string, unknown> = {}): Promise<Frame> {
    const id = `r${this.#nextId++}`;
    this.send({ type, id, ...fields });
    return this.waitFor((frame) => frame.id === id, `the reply to ${type}`);
  }

  /** The first frame (already received or coming) that `matches`. */
  async waitFor(matches: (frame: Frame) => boolean, what: string): Promise<Frame> {
    for (;;) {
      const found = this.frames.find(matches);
      if (found) return found;
      await within(new Promise<void>((resolve) => this.#waiters.push(resolve)), what);
    }
  }

  /** The first frame of `type`. */
  next(type: string): Promise<Frame> {
    return this.waitFor((frame) => frame.type === type, `a ${type} frame`);
  }

  types(): Array<string | undefined> {
    return this.frames.map((frame) => frame.type);
  }

  close(): void {
    this.ws.terminate();
  }
}

/** POSTs `ticket` to the stack's session endpoint, from the stack's own origin by default. */
export function postTicket(
  stack: Stack,
  ticket: unknown,
  headers: Record<string, string> = {},
): Promise<HttpResult> {
  return httpRequest(`${stack.server.url}/wsgate/session`, {
    method: 'POST',
    headers: { origin: stack.origin, 'content-type': 'application/json', ...headers },
    body: [JSON.stringify({ ticket })],
  });
}

/** `name=value` of the response's Set-Cookie, or undefined. */
export function cookieFrom(response: HttpResult): string | undefined {
  return response.headers.find(([name]) => name === 'set-cookie')?.[1].split(';')[0];
}

export function setCookieOf(response: HttpResult): string | undefined {
  return response.headers.find(([name]) => name === 'set-cookie')?.[1];
}

/** Logs in over the socket and trades the ticket for the cookie, as the client does. */
export async function logInAndExchange(stack: Stack, client: ProtocolClient, username = 'alice') {
  const passwords: Record<string, string> = { alice: 'wonderland', bob: 'builder' };
  const before = client.frames.length;
  const result = await client.request('auth.login', {
    credentials: { username, password: passwords[username] },
  });
  const updated = client.frames.slice(before).find((frame) => frame.type === 'session.updated');
  const response = await postTicket(stack, updated?.ticket);
  return { result, updated, response, cookie: cookieFrom(response) };
}
