import type { Application, WebSocketScope } from '@wsgate/shared';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WsgateError } from '../errors.js';
import { WebsocketCommunicator } from './websocket-communicator.js';

/** Accepts, echoes every frame (text as text, bytes as bytes), returns on disconnect. */
const echo: Application<WebSocketScope> = async (_scope, receive, send) => {
  for (;;) {
    const event = await receive();
    if (event.type === 'websocket.connect') await send({ type: 'websocket.accept' });
    else if (event.type === 'websocket.receive') await send({ ...event, type: 'websocket.send' });
    else return;
  }
};

/** Accepts, then ignores everything until disconnect. */
const silent: Application<WebSocketScope> = async (_scope, receive, send) => {
  for (;;) {
    const event = await receive();
    if (event.type === 'websocket.connect') await send({ type: 'websocket.accept' });
    if (event.type === 'websocket.disconnect') return;
  }
};

function closingWith(code?: number): Application<WebSocketScope> {
  return async (_scope, receive, send) => {
    await receive();
    await send(
      code === undefined ? { type: 'websocket.close' } : { type: 'websocket.close', code },
    );
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('WebsocketCommunicator', () => {
  it('connects, echoes text, bytes and JSON, and disconnects', async () => {
    const communicator = new WebsocketCommunicator(echo, '/testws/');
    expect(await communicator.connect()).toEqual([true, null]);
    await communicator.sendTo({ text: 'hello' });
    expect(await communicator.receiveFrom()).toBe('hello');
    await communicator.sendTo({ bytes: new Uint8Array([119, 0, 0, 0]) });
    expect(await communicator.receiveFrom()).toEqual(new Uint8Array([119, 0, 0, 0]));
    await communicator.sendJsonTo({ hello: 'world' });
    expect(await communicator.receiveJsonFrom()).toEqual({ hello: 'world' });
    await communicator.disconnect();
  });

  it('sends an empty text frame (a valid frame, unlike in Channels)', async () => {
    const communicator = new WebsocketCommunicator(echo, '/');
    await communicator.connect();
    await communicator.sendTo({ text: '' });
    expect(await communicator.receiveFrom()).toBe('');
    await communicator.disconnect();
  });

  it('reports the chosen subprotocol and offers the requested ones in the scope', async () => {
    let offered: readonly string[] = [];
    const app: Application<WebSocketScope> = async (scope, receive, send) => {
      offered = scope.subprotocols;
      await receive();
      await send({ type: 'websocket.accept', subprotocol: 'two' });
      await receive();
    };
    const communicator = new WebsocketCommunicator(app, '/', { subprotocols: ['one', 'two'] });
    expect(await communicator.connect()).toEqual([true, 'two']);
    expect(offered).toEqual(['one', 'two']);
    await communicator.disconnect();
  });

  it('reports a rejection with its close code, and 1000 when the close had none', async () => {
    expect(await new WebsocketCommunicator(closingWith(4401), '/').connect()).toEqual([
      false,
      4401,
    ]);
    expect(await new WebsocketCommunicator(closingWith(), '/').connect()).toEqual([false, 1000]);
  });

  it.each([
    ['/testws/', '/testws/', '/testws/', ''],
    ['/p/a/t/h?query=string#hash', '/p/a/t/h', '/p/a/t/h', 'query=string'],
    [
      'wss://user:pass@example.com:8080/p/a/t/h?query=string#hash',
      '/p/a/t/h',
      '/p/a/t/h',
      'query=string',
    ],
    [
      'ws://www.example.com/%E9%A6%96%E9%A1%B5/index.php?foo=%E9%A6%96%E9%A1%B5&spam=eggs',
      '/首页/index.php',
      '/%E9%A6%96%E9%A1%B5/index.php',
      'foo=%E9%A6%96%E9%A1%B5&spam=eggs',
    ],
    ['ws://example.com', '/', '/', ''],
  ])('builds the scope from %s', async (target, path, rawPath, queryString) => {
    const communicator = new WebsocketCommunicator(silent, target);
    expect(communicator.scope).toMatchObject({ type: 'websocket', path, rawPath, queryString });
    expect(communicator.scope.scheme).toBe(target.startsWith('wss:') ? 'wss' : 'ws');
    expect(communicator.scope.client?.[0]).toBe('127.0.0.1');
    expect(await communicator.connect()).toEqual([true, null]);
    await communicator.disconnect();
  });

  it('refuses a path with a malformed percent-escape, saying how to fix it', () => {
    expect(() => new WebsocketCommunicator(silent, '/bad/%E9')).toThrow(/malformed percent-escape/);
  });

  it('lower-cases header names and gives each communicator its own client port', () => {
    const first = new WebsocketCommunicator(silent, '/', { headers: [['Cookie', 'a=1']] });
    const second = new WebsocketCommunicator(silent, '/');
    expect(first.scope.headers).toEqual([['cookie', 'a=1']]);
    expect(first.scope.client?.[1]).not.toBe(second.scope.client?.[1]);
  });

  it('times out with a message saying what it waited for, and can disconnect after', async () => {
    vi.useFakeTimers();
    const communicator = new WebsocketCommunicator(silent, '/testws/');
    await communicator.connect();
    await communicator.sendTo({ text: 'hello' });
    const receiving = communicator.receiveFrom();
    const caught = receiving.catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(1000);
    const error = await caught;
    expect(error).toBeInstanceOf(WsgateError);
    expect(error).toMatchObject({ code: 'TIMEOUT' });
    expect((error as Error).message).toMatch(/1000 ms waiting for a websocket.send frame/);
    vi.useRealTimers();
    await communicator.disconnect();
  });

  it('names what arrived when receiveFrom gets a close instead of a frame', async () => {
    const app: Application<WebSocketScope> = async (_scope, receive, send) => {
      await receive();
      await send({ type: 'websocket.accept' });
      await receive();
      await send({ type: 'websocket.close', code: 4403, reason: 'forbidden' });
      await receive();
    };
    const communicator = new WebsocketCommunicator(app, '/');
    await communicator.connect();
    await communicator.sendTo({ text: 'anything' });
    await expect(communicator.receiveFrom()).rejects.toThrow(
      /receiveFrom\(\) expected websocket.send, but the application sent .*"websocket.close".*4403/,
    );
    await communicator.disconnect();
  });

  it('refuses JSON from a binary frame or from text that is not JSON', async () => {
    const communicator = new WebsocketCommunicator(echo, '/');
    await communicator.connect();
    await communicator.sendTo({ bytes: new Uint8Array([1, 2]) });
    await expect(communicator.receiveJsonFrom()).rejects.toThrow(/binary frame \(2 bytes\)/);
    await communicator.sendTo({ text: 'not json' });
    await expect(communicator.receiveJsonFrom()).rejects.toThrow(/not JSON: "not json"/);
    await communicator.disconnect();
  });

  it('refuses a frame with both or neither of text and bytes, and values JSON cannot encode', async () => {
    const communicator = new WebsocketCommunicator(echo, '/');
    expect(() => communicator.sendTo({} as { text: string })).toThrow(/exactly one of/);
    expect(() =>
      communicator.sendTo({ text: 'a', bytes: new Uint8Array() } as unknown as { text: string }),
    ).toThrow(/exactly one of/);
    expect(() => communicator.sendJsonTo(undefined)).toThrow(/cannot encode undefined/);
    await communicator.connect();
    await communicator.disconnect();
  });

  it('rethrows the application crash to the waiting receiver at once', async () => {
    const app: Application<WebSocketScope> = async (_scope, receive, send) => {
      await receive();
      await send({ type: 'websocket.accept' });
      await receive();
      throw new Error('handler blew up');
    };
    const communicator = new WebsocketCommunicator(app, '/');
    await communicator.connect();
    const receiving = communicator.receiveFrom(60_000);
    await communicator.sendTo({ text: 'boom' });
    await expect(receiving).rejects.toThrow('handler blew up');
    await expect(communicator.receiveOutput()).rejects.toThrow('handler blew up');
    await expect(communicator.disconnect()).rejects.toThrow('handler blew up');
  });

  it('fails fast when the application returns while a test waits for output', async () => {
    const app: Application<WebSocketScope> = async (_scope, receive) => {
      await receive();
    };
    const communicator = new WebsocketCommunicator(app, '/');
    await expect(communicator.connect(60_000)).rejects.toThrow(
      /application returned while the test was waiting for websocket.accept or websocket.close/,
    );
  });

  it('names the event when connect gets something other than accept or close', async () => {
    const app: Application<WebSocketScope> = async (_scope, receive, send) => {
      await receive();
      await send({ type: 'websocket.send', text: 'too early' });
    };
    await expect(new WebsocketCommunicator(app, '/').connect()).rejects.toThrow(
      /connect\(\) expected websocket.accept or websocket.close, but the application sent .*too early/,
    );
  });

  it('receiveNothing: true when silent, false (consuming nothing) when output is waiting', async () => {
    const communicator = new WebsocketCommunicator(echo, '/');
    await communicator.connect();
    expect(await communicator.receiveNothing(10)).toBe(true);
    await communicator.sendTo({ text: 'x' });
    expect(await communicator.receiveNothing()).toBe(false);
    expect(await communicator.receiveFrom()).toBe('x');
    await communicator.disconnect();
  });

  it('receiveNothing wakes as soon as output arrives', async () => {
    vi.useFakeTimers();
    const app: Application<WebSocketScope> = async (_scope, receive, send) => {
      await receive();
      await send({ type: 'websocket.accept' });
      setTimeout(() => void send({ type: 'websocket.send', text: 'late' }), 50);
      await receive();
    };
    const communicator = new WebsocketCommunicator(app, '/');
    await communicator.connect();
    const nothing = communicator.receiveNothing(10_000);
    await vi.advanceTimersByTimeAsync(50);
    expect(await nothing).toBe(false);
    expect(await communicator.receiveFrom()).toBe('late');
    vi.useRealTimers();
    await communicator.disconnect();
  });

  it('receiveNothing rethrows a crash rather than reporting silence', async () => {
    const app: Application<WebSocketScope> = async (_scope, receive) => {
      await receive();
      throw new Error('crashed quietly');
    };
    const communicator = new WebsocketCommunicator(app, '/');
    await communicator.sendInput({ type: 'websocket.connect' });
    await expect(communicator.receiveNothing(1000)).rejects.toThrow('crashed quietly');
  });

  it('stops an application that does not return after disconnect, and says so', async () => {
    let stoppedWith: unknown;
    const stubborn: Application<WebSocketScope> = async (_scope, receive, send) => {
      await receive();
      await send({ type: 'websocket.accept' });
      try {
        for (;;) await receive();
      } catch (error) {
        stoppedWith = error;
        throw error;
      }
    };
    vi.useFakeTimers();
    const communicator = new WebsocketCommunicator(stubborn, '/');
    await communicator.connect();
    const disconnecting = communicator.disconnect(1001).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(1000);
    expect(await disconnecting).toMatchObject({
      code: 'TIMEOUT',
      message: expect.stringMatching(/did not return within 1000 ms; it was stopped/),
    });
    expect(stoppedWith).toBeInstanceOf(WsgateError);
  });

  it('passes the disconnect code to the application', async () => {
    let code: number | undefined;
    const app: Application<WebSocketScope> = async (_scope, receive, send) => {
      await receive();
      await send({ type: 'websocket.accept' });
      const event = await receive();
      if (event.type === 'websocket.disconnect') code = event.code;
    };
    const communicator = new WebsocketCommunicator(app, '/');
    await communicator.connect();
    await communicator.disconnect(4000);
    expect(code).toBe(4000);
  });
});
