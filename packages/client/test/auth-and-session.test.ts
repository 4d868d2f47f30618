/// <reference types="node" />
import type { AddressInfo, Socket } from 'node:net';
import { createServer as createNetServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClientOptions, WsgateClient } from '../src/index.js';
import { createClient } from '../src/index.js';
import type { ProtocolServerOptions } from './protocol-server.js';
import { ProtocolServer } from './protocol-server.js';
import { nextEvent, record, stateReached, until } from './wait.js';

let server: ProtocolServer | undefined;
const clients: WsgateClient[] = [];

async function setup(
  options: Partial<ClientOptions> = {},
  serverOptions: ProtocolServerOptions = {},
): Promise<{ server: ProtocolServer; client: WsgateClient }> {
  server = await ProtocolServer.start(serverOptions);
  const client = createClient({
    url: server.url,
    reconnect: { baseMs: 20, capMs: 40, random: () => 0.5 },
    ...options,
  });
  clients.push(client);
  return { server, client };
}

const ada = { username: 'ada', password: 'lovelace' };

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await server?.close();
  server = undefined;
});

describe('login, logout, whoami', () => {
  it('round-trips and keeps client.user and the user event in step', async () => {
    const { client } = await setup();
    const users = record(client, ['user']);
    await expect(client.whoami()).resolves.toBeNull();
    const user = await client.login(ada);
    expect(user).toEqual({ id: 1, name: 'Ada' });
    expect(client.user).toEqual(user);
    await expect(client.whoami()).resolves.toEqual(user);
    await client.logout();
    expect(client.user).toBeNull();
    expect(users).toEqual([
      ['user', { id: 1, name: 'Ada' }],
      ['user', null],
    ]);
  });

  it('rejects a failed login with the server’s code and message, and keeps the user', async () => {
    const { client } = await setup();
    const failure = client.login({ username: 'ada', password: 'wrong' });
    await expect(failure).rejects.toMatchObject({
      name: 'WsgateClientError',
      code: 'INVALID_CREDENTIALS',
      message: expect.stringContaining('wrong username or password') as string,
    });
    expect(client.user).toBeNull();
  });

  it('rejects a login without credentials before sending anything', async () => {
    const { client } = await setup();
    await expect(client.login(undefined)).rejects.toMatchObject({ code: 'BAD_MESSAGE' });
  });

  it('lets requests made while disconnected wait for the connection, in order with sends', async () => {
    const { client, server } = await setup();
    await nextEvent(client, 'open');
    server.closeWith(server.last, 1012);
    await stateReached(client, 'reconnecting');
    client.send('before');
    const login = client.login(ada);
    client.send('after');
    await expect(login).resolves.toEqual({ id: 1, name: 'Ada' });
    const second = await server.connection(1);
    await until(() => second.received.length === 2, 'both frames');
    expect(second.control.slice(0, 2)).toEqual(['auth.whoami', 'auth.login']);
    expect(second.received).toEqual(['before', 'after']);
  });

  it('times out a request the server never answers, with a clear error', async () => {
    const { client, server } = await setup({ requestTimeoutMs: 200 });
    await nextEvent(client, 'open');
    server.answering = false;
    await expect(client.whoami()).rejects.toMatchObject({
      code: 'REQUEST_TIMEOUT',
      message: expect.stringMatching(/auth\.whoami got no answer within 200 ms/) as string,
    });
  });

  it('fails a request in flight when the connection drops: the server may have acted', async () => {
    const { client, server } = await setup();
    client.on('error', () => undefined);
    await nextEvent(client, 'open');
    server.answering = false;
    const whoami = client.whoami();
    await until(
      () => server.last.control.includes('auth.whoami') && server.last.control.length === 2,
      'the request',
    );
    server.closeWith(server.last, 1012);
    await expect(whoami).rejects.toMatchObject({ code: 'CONNECTION_LOST', closeCode: 1012 });
  });

  it('rejects requests on a closed client', async () => {
    const { client } = await setup();
    client.close();
    await expect(client.whoami()).rejects.toMatchObject({ code: 'CLIENT_CLOSED' });
    await expect(client.refresh()).rejects.toMatchObject({ code: 'CLIENT_CLOSED' });
  });

  it('rejects a request pending at close() with CLIENT_CLOSED', async () => {
    const { client } = await setup();
    const whoami = client.whoami();
    client.close();
    await expect(whoami).rejects.toMatchObject({ code: 'CLIENT_CLOSED' });
  });
});

describe('session cookie in Node', () => {
  it('exchanges the ticket and sends the cookie on every reconnect', async () => {
    const { client, server } = await setup();
    await nextEvent(client, 'open');
    expect(server.handshakes[0]!.cookie).toBeUndefined();
    await client.login(ada);
    server.closeWith(server.last, 1012);
    const reopened = await nextEvent(client, 'open');
    expect(server.handshakes[1]!.cookie).toBe(`sid=${server.last.session.id}`);
    expect(reopened.user).toEqual({ id: 1, name: 'Ada' });
  });

  it('drops the cookie the endpoint deletes on logout', async () => {
    const { client, server } = await setup();
    await client.login(ada);
    await client.logout();
    server.closeWith(server.last, 1012);
    const reopened = await nextEvent(client, 'open');
    expect(server.handshakes[1]!.cookie).toBeUndefined();
    expect(reopened.user).toBeNull();
  });

  it('sends the headers option with the handshake and the ticket exchange', async () => {
    const origin = 'http://app.example';
    const { client, server } = await setup(
      { headers: { Origin: origin, cookie: 'theme=dark' } },
      { allowedOrigin: origin },
    );
    await client.login(ada);
    expect(server.handshakes[0]).toMatchObject({ origin, cookie: 'theme=dark' });
    server.closeWith(server.last, 1012);
    await nextEvent(client, 'open');
    expect(server.handshakes[1]!.cookie).toBe(`theme=dark; sid=${server.last.session.id}`);
  });

  it.each([
    [401, /expired, was already used or is unknown/],
    [400, /malformed/],
    [500, /HTTP 500/],
  ])(
    'reports a ticket the endpoint refuses with %i as an error; login still resolves',
    async (status, why) => {
      const { client, server } = await setup();
      const errors = record(client, ['error']);
      server.ticketStatuses.push(status);
      await expect(client.login(ada)).resolves.toEqual({ id: 1, name: 'Ada' });
      expect(errors).toHaveLength(1);
      expect(errors[0]![1]).toMatchObject({ code: 'TICKET_EXCHANGE_FAILED', status });
      expect(errors[0]![1].message).toMatch(why);
    },
  );

  it('explains a 403 from the endpoint: the Origin header', async () => {
    const { client } = await setup({}, { allowedOrigin: 'http://app.example' });
    const errors = record(client, ['error']);
    await client.login(ada);
    expect(errors[0]![1]).toMatchObject({ code: 'TICKET_EXCHANGE_FAILED', status: 403 });
    expect(errors[0]![1].message).toMatch(/headers: \{ origin \}/);
  });

  it('reports an unreachable endpoint', async () => {
    const { client } = await setup({ sessionEndpoint: 'http://127.0.0.1:1/wsgate/session' });
    const errors = record(client, ['error']);
    await client.login(ada);
    expect(errors[0]![1]).toMatchObject({ code: 'TICKET_EXCHANGE_FAILED' });
    expect(errors[0]![1].message).toMatch(/could not reach/);
  });

  it('gives up on an endpoint that never answers, so nothing waits forever', async () => {
    const sockets: Socket[] = [];
    const silent = createNetServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as AddressInfo;
      const { client } = await setup({
        requestTimeoutMs: 300,
        sessionEndpoint: `http://127.0.0.1:${port}/wsgate/session`,
      });
      const errors = record(client, ['error']);
      await expect(client.login(ada)).resolves.toEqual({ id: 1, name: 'Ada' });
      expect(errors[0]![1].message).toMatch(/no answer within 300 ms/);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('ignores tickets when sessionEndpoint is false', async () => {
    const { client, server } = await setup({ sessionEndpoint: false });
    await client.login(ada);
    server.closeWith(server.last, 1012);
    await nextEvent(client, 'open');
    expect(server.handshakes[1]!.cookie).toBeUndefined();
  });

  it('refresh() sends session.refresh and resolves once the new cookie is set', async () => {
    const { client, server } = await setup();
    await client.login(ada);
    await client.refresh();
    expect(server.last.control).toContain('session.refresh');
  });

  it('refreshes on session.expiring', async () => {
    const { client, server } = await setup();
    await client.login(ada);
    server.sendRaw(
      server.last,
      JSON.stringify({ type: 'session.expiring', expiresAt: Date.now() + 5_000 }),
    );
    await until(() => server.last.control.includes('session.refresh'), 'session.refresh');
  });

  it('refreshes before the session runs out', async () => {
    const { client, server } = await setup({ refreshAt: 0.5 }, { ttlMs: 200 });
    await client.login(ada);
    // The ticket said: expires in 200 ms; at half of that, the client refreshes by itself.
    await until(() => server.last.control.includes('session.refresh'), 'session.refresh');
  });
});

describe('server-pushed auth events', () => {
  it('auth.revoked clears the user and emits revoked; the socket stays open', async () => {
    const { client, server } = await setup();
    await client.login(ada);
    const log = record(client, ['user', 'revoked']);
    server.revoke(server.last.session, 'logged out elsewhere');
    await nextEvent(client, 'revoked');
    expect(log).toEqual([
      ['user', null],
      ['revoked', { reason: 'logged out elsewhere' }],
    ]);
    expect(client.state).toBe('open');
  });

  it('auth.expired clears the user and emits expired', async () => {
    const { client, server } = await setup();
    await client.login(ada);
    server.sendRaw(server.last, '{"type":"auth.expired"}');
    await nextEvent(client, 'expired');
    expect(client.user).toBeNull();
  });
});

describe('cross-tab (BroadcastChannel, here between two Node clients)', () => {
  it('a logout in one tab signs the other out and makes it reconnect', async () => {
    const { client: first, server } = await setup({ crossTab: true });
    const second = createClient({ url: server.url, crossTab: true });
    clients.push(second);
    await first.login(ada);
    await second.login({ username: 'grace', password: 'hopper' });
    const log = record(second, ['user', 'revoked', 'close']);
    await first.logout();
    await nextEvent(second, 'open');
    expect(log).toEqual([
      ['user', null],
      ['revoked', { reason: 'logged out in another tab' }],
      ['close', { code: 1000, reason: 'session ended in another tab', willReconnect: true }],
      // Browser tabs share the cleared cookie; these two Node clients keep their own jars, so
      // the reconnect's handshake shows the second one is still Grace: the server decides.
      ['user', { id: 2, name: 'Grace' }],
    ]);
    expect(first.user).toBeNull();
  });
});
