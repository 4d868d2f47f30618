import type { Application, Scope, ScopeUser, WebSocketScope, WithUser } from '@wsgate/shared';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HttpCommunicator } from '../testing/http-communicator.js';
import { WebsocketCommunicator } from '../testing/websocket-communicator.js';
import { rateLimitMiddleware } from './rate-limit-middleware.js';
import type { RateLimitOptions } from './rate-limit-middleware.js';

/** Echoes text frames; `boom` makes it throw. Counts how often it ran and how it ended. */
function echoApp() {
  const runs = { started: 0, ended: 0, received: [] as string[], disconnects: [] as number[] };
  const app: Application = async (scope, receive, send) => {
    runs.started += 1;
    try {
      if (scope.type === 'http') {
        await send({ type: 'http.response.start', status: 204 });
        return await send({ type: 'http.response.body' });
      }
      for (;;) {
        const event = await receive();
        if (event.type === 'websocket.connect') await send({ type: 'websocket.accept' });
        else if (event.type === 'websocket.receive') {
          if (event.text === 'boom') throw new Error('boom');
          runs.received.push(event.text ?? '');
          await send({ type: 'websocket.send', text: event.text ?? '' });
        } else if (event.type === 'websocket.disconnect') {
          runs.disconnects.push(event.code);
          return;
        }
      }
    } finally {
      runs.ended += 1;
    }
  };
  return { app, runs };
}

/** Puts the user named in `?user=` on the scope, as an auth middleware would. */
function withQueryUser(inner: Application<Scope & WithUser>): Application {
  return (scope, receive, send) => {
    const name = new URLSearchParams(scope.queryString).get('user');
    const user: ScopeUser =
      name === null ? { id: null, isAuthenticated: false } : { id: name, isAuthenticated: true };
    return inner({ ...scope, user }, receive, send);
  };
}

function setup(options: RateLimitOptions) {
  const { app, runs } = echoApp();
  const limited = withQueryUser(rateLimitMiddleware(app, options));
  const open = (path: string) => new WebsocketCommunicator(limited, path);
  return { limited, runs, open };
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['performance', 'Date'] });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('rateLimitMiddleware connections', () => {
  it('refuses a user over maxConnectionsPerUser with 4429 before the application runs', async () => {
    const { runs, open } = setup({ maxConnectionsPerUser: 2 });
    const alice = [open('/?user=alice'), open('/?user=alice')];
    for (const connection of alice) expect(await connection.connect()).toEqual([true, null]);
    const third = open('/?user=alice');
    expect(await third.connect()).toEqual([false, 4429]);
    expect(runs.started).toBe(2);
    expect(await open('/?user=bob').connect()).toEqual([true, null]);
  });

  it('gives the count back when a connection ends, exactly once, also when the application throws', async () => {
    const { runs, open } = setup({ maxConnectionsPerUser: 1 });
    const first = open('/?user=alice');
    await first.connect();
    await first.sendTo({ text: 'boom' });
    await expect(first.wait()).rejects.toThrow('boom');
    const second = open('/?user=alice');
    expect(await second.connect()).toEqual([true, null]);
    await second.disconnect();
    const third = open('/?user=alice');
    expect(await third.connect()).toEqual([true, null]);
    // Released once each: the one open connection still fills the limit of 1.
    expect(await open('/?user=alice').connect()).toEqual([false, 4429]);
    expect(runs.ended).toBe(2);
  });

  it('counts anonymous connections per address only', async () => {
    const { open } = setup({ maxConnectionsPerUser: 1, maxConnectionsPerAddress: 3 });
    // Every communicator comes from 127.0.0.1.
    for (let i = 0; i < 3; i += 1) expect(await open('/').connect()).toEqual([true, null]);
    expect(await open('/?user=carol').connect()).toEqual([false, 4429]);
  });

  it('finds the user with keyByUser', async () => {
    const { app } = echoApp();
    const limited = rateLimitMiddleware(app, {
      maxConnectionsPerUser: 1,
      keyByUser: (scope: WebSocketScope) => new URLSearchParams(scope.queryString).get('key'),
    });
    expect(await new WebsocketCommunicator(limited, '/?key=k1').connect()).toEqual([true, null]);
    expect(await new WebsocketCommunicator(limited, '/?key=k1').connect()).toEqual([false, 4429]);
    expect(await new WebsocketCommunicator(limited, '/?key=k2').connect()).toEqual([true, null]);
  });

  it('passes HTTP through untouched', async () => {
    const { app, runs } = echoApp();
    const limited = rateLimitMiddleware(app, { maxConnectionsPerAddress: 1 });
    for (let i = 0; i < 3; i += 1) {
      expect((await new HttpCommunicator(limited, 'GET', '/').getResponse()).status).toBe(204);
    }
    expect(runs.ended).toBe(3);
  });
});

describe('rateLimitMiddleware messages', () => {
  it('closes a connection over its burst with auth.error (retryAfterMs) and 4429; the app sees a 4429 disconnect', async () => {
    const { runs, open } = setup({ messagesPerSecond: 2, burst: 3 });
    const client = open('/?user=alice');
    await client.connect();
    for (const text of ['1', '2', '3', '4', '5']) await client.sendTo({ text });
    for (const text of ['1', '2', '3']) expect(await client.receiveFrom()).toBe(text);
    expect(await client.receiveJsonFrom()).toEqual({
      type: 'auth.error',
      code: 4429,
      message: expect.stringContaining('Too many messages on this connection') as string,
      retryAfterMs: 1_500,
    });
    expect(await client.receiveOutput()).toEqual({
      type: 'websocket.close',
      code: 4429,
      reason: 'too many messages',
    });
    expect(runs.disconnects).toEqual([4429]);
    expect(runs.received).toEqual(['1', '2', '3']);
    await client.disconnect(4429);
  });

  it('allows the sustained rate indefinitely', async () => {
    const { open } = setup({ messagesPerSecond: 10, burst: 1 });
    const client = open('/?user=alice');
    await client.connect();
    for (let i = 0; i < 50; i += 1) {
      await client.sendTo({ text: String(i) });
      expect(await client.receiveFrom()).toBe(String(i));
      vi.advanceTimersByTime(100);
    }
    await client.disconnect();
  });

  it("limits a user's messages across all their connections, not other users'", async () => {
    const { open } = setup({
      messagesPerSecond: 1,
      burst: 10,
      userMessagesPerSecond: 1,
      userBurst: 4,
    });
    const [first, second, bob] = [open('/?user=alice'), open('/?user=alice'), open('/?user=bob')];
    for (const client of [first, second, bob]) await client.connect();
    for (const text of ['a', 'b']) {
      await first.sendTo({ text });
      expect(await first.receiveFrom()).toBe(text);
    }
    for (const text of ['c', 'd', 'e']) await second.sendTo({ text });
    for (const text of ['c', 'd']) expect(await second.receiveFrom()).toBe(text);
    expect(await second.receiveJsonFrom()).toMatchObject({
      type: 'auth.error',
      code: 4429,
      message: expect.stringContaining('across connections') as string,
      retryAfterMs: 4_000,
    });
    expect(await second.receiveOutput()).toMatchObject({ type: 'websocket.close', code: 4429 });
    for (const text of ['x', 'y', 'z']) {
      await bob.sendTo({ text });
      expect(await bob.receiveFrom()).toBe(text);
    }
    await second.disconnect(4429);
    await Promise.all([first.disconnect(), bob.disconnect()]);
  });
});

describe('rateLimitMiddleware options', () => {
  it.each<[string, RateLimitOptions]>([
    ['maxConnectionsPerUser', { maxConnectionsPerUser: 0 }],
    ['maxConnectionsPerAddress', { maxConnectionsPerAddress: 1.5 }],
    ['messagesPerSecond', { messagesPerSecond: -1 }],
    ['burst', { burst: Number.NaN }],
    ['keyByUser', { keyByUser: 'id' as never }],
  ])('refuses a bad %s at construction', (name, options) => {
    expect(() => rateLimitMiddleware(echoApp().app, options)).toThrow(
      expect.objectContaining({
        code: 'INVALID_OPTION',
        message: expect.stringContaining(name) as string,
      }) as Error,
    );
  });

  it('turns a limit off with Infinity', async () => {
    const { open } = setup({ maxConnectionsPerAddress: Infinity, messagesPerSecond: Infinity });
    const client = open('/');
    await client.connect();
    for (let i = 0; i < 500; i += 1) await client.sendTo({ text: String(i) });
    for (let i = 0; i < 500; i += 1) expect(await client.receiveFrom()).toBe(String(i));
    await client.disconnect();
  });
});
