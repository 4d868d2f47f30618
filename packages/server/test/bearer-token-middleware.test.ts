import { afterEach, describe, expect, it } from 'vitest';
import type { Application, Scope, User, WithUser } from '@wsgate/shared';
import { HttpCommunicator } from '../src/testing/http-communicator.js';
import { WebsocketCommunicator } from '../src/testing/websocket-communicator.js';
import { Harness, RecordingLogger } from './adapter-fixtures.js';
import { BearerTokenMiddleware, bearerProtocol } from './examples/bearer-token-middleware.js';

interface Account extends User {
  readonly id: string;
  readonly name: string;
}

// base64url, as JWTs are: valid in a subprotocol and in a query string.
const aliceToken = 'eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl-_x';
const accounts = new Map<string, Account>([[aliceToken, { id: 'u1', name: 'alice' }]]);
const findUser = (token: string): Account | null => accounts.get(token) ?? null;

/**
 * Accepts (with `subprotocol` if given) and says who the user is; with `requireUser`, closes an
 * anonymous connection with 4401 before accepting, as an application that needs a user does.
 */
function whoAmI(options: { requireUser?: boolean; subprotocol?: string } = {}) {
  const app: Application<Scope & WithUser<Account>> = async (scope, receive, send) => {
    const { user } = scope;
    if (scope.type === 'http') {
      await send({ type: 'http.response.start', status: 200, headers: [] });
      await send({
        type: 'http.response.body',
        body: new TextEncoder().encode(user.isAuthenticated ? user.name : 'anonymous'),
      });
      return;
    }
    if ((await receive()).type !== 'websocket.connect') return;
    if (options.requireUser && !user.isAuthenticated) {
      return send({ type: 'websocket.close', code: 4401, reason: 'a valid token is required' });
    }
    await send({ type: 'websocket.accept', subprotocol: options.subprotocol ?? null });
    await send({ type: 'websocket.send', text: user.isAuthenticated ? user.name : 'anonymous' });
    while ((await receive()).type !== 'websocket.disconnect');
  };
  return new BearerTokenMiddleware(app, findUser).asApp();
}

async function connectAndRead(
  app: Application,
  path: string,
  subprotocols: string[] = [],
): Promise<{ subprotocol: string | null; said: string }> {
  const communicator = new WebsocketCommunicator(app, path, { subprotocols });
  const result = await communicator.connect();
  if (!result[0]) throw new Error(`refused with ${result[1]}`);
  const said = await communicator.receiveFrom();
  await communicator.disconnect();
  return { subprotocol: result[1], said: String(said) };
}

describe('BearerTokenMiddleware, in-process', () => {
  it('finds the user from ?token=', async () => {
    expect(await connectAndRead(whoAmI(), `/ws/?token=${aliceToken}`)).toEqual({
      subprotocol: null,
      said: 'alice',
    });
  });

  it('finds the user from the subprotocol, and the accept echoes the marker, never the token', async () => {
    expect(await connectAndRead(whoAmI(), '/ws/', [bearerProtocol, aliceToken])).toEqual({
      subprotocol: bearerProtocol,
      said: 'alice',
    });
  });

  it('keeps a protocol the application chose, and replaces the token if it chose that', async () => {
    const offered = ['chat.v2', bearerProtocol, aliceToken];
    expect(
      (await connectAndRead(whoAmI({ subprotocol: 'chat.v2' }), '/ws/', offered)).subprotocol,
    ).toBe('chat.v2');
    expect(
      (await connectAndRead(whoAmI({ subprotocol: aliceToken }), '/ws/', offered)).subprotocol,
    ).toBe(bearerProtocol);
  });

  it('prefers the subprotocol token over the query', async () => {
    const said = await connectAndRead(whoAmI(), '/ws/?token=unknown', [bearerProtocol, aliceToken]);
    expect(said.said).toBe('alice');
  });

  it.each<[string, string, string[]]>([
    ['no token', '/ws/', []],
    ['an unknown query token', '/ws/?token=forged', []],
    ['an empty query token', '/ws/?token=', []],
    ['an unknown subprotocol token', '/ws/', [bearerProtocol, 'forged']],
    ['the marker without a token', '/ws/', [bearerProtocol]],
  ])('gives %s an anonymous user', async (_, path, subprotocols) => {
    expect((await connectAndRead(whoAmI(), path, subprotocols)).said).toBe('anonymous');
  });

  it('lets an application that needs a user refuse an unknown token with 4401', async () => {
    const communicator = new WebsocketCommunicator(
      whoAmI({ requireUser: true }),
      '/ws/?token=forged',
    );
    expect(await communicator.connect()).toEqual([false, 4401]);
    await communicator.disconnect();
  });

  it('works for HTTP with ?token=', async () => {
    const response = await new HttpCommunicator(
      whoAmI(),
      'GET',
      `/api/?token=${aliceToken}`,
    ).getResponse();
    expect(new TextDecoder().decode(response.body)).toBe('alice');
  });
});

describe('BearerTokenMiddleware, over real sockets', () => {
  const harness = new Harness();
  afterEach(() => harness.cleanup());

  it('opens with a subprotocol token: the server echoes the marker, as browsers require', async () => {
    const server = await harness.start(whoAmI(), { logger: new RecordingLogger() });
    const client = harness.client(server, '/ws/', [bearerProtocol, aliceToken]);
    const opened = await client.handshake();
    expect(opened.kind).toBe('open');
    expect(client.ws.protocol).toBe(bearerProtocol);
    if (opened.kind === 'open')
      expect(opened.upgrade.headers['sec-websocket-protocol']).toBe(bearerProtocol);
    expect(await client.message(0)).toBe('alice');
  });

  it('opens with a query token', async () => {
    const server = await harness.start(whoAmI(), { logger: new RecordingLogger() });
    const client = harness.client(server, `/ws/?token=${aliceToken}`);
    expect((await client.handshake()).kind).toBe('open');
    expect(await client.message(0)).toBe('alice');
  });

  it('tells a client with an unknown token why it is closed: auth.error and 4401', async () => {
    const server = await harness.start(whoAmI({ requireUser: true }), {
      logger: new RecordingLogger(),
    });
    const client = harness.client(server, '/ws/', [bearerProtocol, 'forged']);
    expect((await client.handshake()).kind).toBe('open');
    expect(client.ws.protocol).toBe(bearerProtocol);
    expect(JSON.parse(String(await client.message(0)))).toMatchObject({
      type: 'auth.error',
      code: 4401,
    });
    expect((await client.close()).code).toBe(4401);
  });

  it('answers HTTP 500 when the user lookup throws, and keeps serving', async () => {
    const logger = new RecordingLogger();
    let failing = true;
    const lookup = (token: string): Account | null => {
      if (failing) throw new Error('token store unreachable');
      return findUser(token);
    };
    const app = new BearerTokenMiddleware<Scope, Account>(async (scope, receive, send) => {
      await receive();
      await send({ type: 'websocket.accept' });
      await send({
        type: 'websocket.send',
        text: scope.user.isAuthenticated ? scope.user.name : 'anonymous',
      });
    }, lookup).asApp();
    const server = await harness.start(app, { logger });
    expect(await harness.client(server, `/ws/?token=${aliceToken}`).handshake()).toEqual({
      kind: 'refused',
      status: 500,
    });
    const logged = await logger.waitFor('websocket application failed');
    expect(logged.details?.error).toMatchObject({ message: 'token store unreachable' });
    failing = false;
    const client = harness.client(server, `/ws/?token=${aliceToken}`);
    expect((await client.handshake()).kind).toBe('open');
    expect(await client.message(0)).toBe('alice');
  });
});
