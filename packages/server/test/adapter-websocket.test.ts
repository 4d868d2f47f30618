import { afterEach, describe, expect, it } from 'vitest';
import type { Application, InboundEvent, Receive, WebSocketScope } from '@wsgate/shared';
import { WsgateError } from '../src/errors.js';
import { deferred, Harness, RecordingLogger, within } from './adapter-fixtures.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

/** Accepts, then echoes every message until the client leaves; records what it received. */
function echoApp(seen: InboundEvent[] = []): Application {
  return async (scope, receive, send) => {
    if (scope.type !== 'websocket') return;
    seen.push(await receive());
    await send({ type: 'websocket.accept' });
    for (;;) {
      const event = await receive();
      seen.push(event);
      if (event.type !== 'websocket.receive') return;
      await send(
        event.text !== undefined
          ? { type: 'websocket.send', text: event.text }
          : { type: 'websocket.send', bytes: event.bytes ?? new Uint8Array(0) },
      );
    }
  };
}

async function untilDisconnect(receive: Receive): Promise<InboundEvent> {
  for (;;) {
    const event = await receive();
    if (event.type === 'websocket.disconnect') return event;
  }
}

describe('WebSocket accept and echo', () => {
  it('echoes text and binary frames after accept', async () => {
    const seen: InboundEvent[] = [];
    const server = await harness.start(echoApp(seen));
    const client = harness.client(server, '/echo/');
    expect((await client.handshake()).kind).toBe('open');
    client.ws.send('hello');
    client.ws.send(new Uint8Array([1, 2, 3]));
    expect(await client.message(0)).toBe('hello');
    expect([...((await client.message(1)) as Buffer)]).toEqual([1, 2, 3]);
    client.ws.close(1000, 'done');
    expect(await client.close()).toEqual({ code: 1000, reason: 'done' });
    await within(
      (async () => {
        while (seen.at(-1)?.type !== 'websocket.disconnect')
          await new Promise((r) => setImmediate(r));
      })(),
      'the disconnect event',
    );
    expect(seen[0]).toEqual({ type: 'websocket.connect' });
    expect(seen[1]).toEqual({ type: 'websocket.receive', text: 'hello' });
    expect(seen[2]).toEqual({ type: 'websocket.receive', bytes: new Uint8Array([1, 2, 3]) });
    expect(seen[3]).toEqual({ type: 'websocket.disconnect', code: 1000, reason: 'done' });
  });

  it('describes the handshake in the scope', async () => {
    const scope = deferred<WebSocketScope>();
    const server = await harness.start(async (s, receive, send) => {
      if (s.type === 'websocket') scope.resolve(s);
      await receive();
      await send({ type: 'websocket.close' });
    });
    const client = harness.client(server, '/chat/l%C3%B6bby/?token=a%20b', ['v2', 'v1'], {
      headers: { 'X-Custom': 'One' },
    });
    await client.handshake();
    const seen = await within(scope.promise, 'the scope');
    expect(seen).toMatchObject({
      type: 'websocket',
      path: '/chat/löbby/',
      rawPath: '/chat/l%C3%B6bby/',
      queryString: 'token=a%20b',
      scheme: 'ws',
      subprotocols: ['v2', 'v1'],
      server: ['127.0.0.1', server.port],
    });
    expect(seen.client?.[0]).toBe('127.0.0.1');
    expect(seen.headers).toContainEqual(['x-custom', 'One']);
    expect(seen.headers).toContainEqual(['sec-websocket-protocol', 'v2,v1']);
  });

  it('trusts X-Forwarded-Proto and X-Forwarded-For only with trustProxy', async () => {
    const scopes: WebSocketScope[] = [];
    const app: Application = async (scope, receive, send) => {
      if (scope.type === 'websocket') scopes.push(scope);
      await receive();
      await send({ type: 'websocket.close' });
    };
    const headers = {
      'X-Forwarded-Proto': 'https',
      'X-Forwarded-For': '203.0.113.9, 198.51.100.7',
    };
    for (const trustProxy of [false, true]) {
      const server = await harness.start(app, { trustProxy });
      await harness.client(server, '/', [], { headers }).handshake();
    }
    expect(scopes[0]).toMatchObject({ scheme: 'ws' });
    expect(scopes[0]?.client?.[0]).toBe('127.0.0.1');
    expect(scopes[1]).toMatchObject({ scheme: 'wss', client: ['198.51.100.7', 0] });
  });
});

describe('subprotocols and accept headers', () => {
  function acceptWith(subprotocol: string | null, errors: unknown[] = []): Application {
    return async (scope, receive, send) => {
      await receive();
      try {
        await send({ type: 'websocket.accept', subprotocol, headers: [['x-wsgate', 'yes']] });
      } catch (error) {
        errors.push(error);
        await send({
          type: 'websocket.accept',
          subprotocol: scope.type === 'websocket' ? (scope.subprotocols[0] ?? null) : null,
        });
      }
      await untilDisconnect(receive);
    };
  }

  it('answers with the subprotocol the application chose, and its extra headers', async () => {
    const server = await harness.start(acceptWith('v1'));
    const client = harness.client(server, '/', ['v2', 'v1']);
    const opened = await client.handshake();
    expect(client.ws.protocol).toBe('v1');
    expect(opened.kind === 'open' && opened.upgrade.headers['x-wsgate']).toBe('yes');
  });

  it('answers with no subprotocol when none was offered or chosen', async () => {
    const server = await harness.start(acceptWith(null));
    const client = harness.client(server, '/');
    await client.handshake();
    expect(client.ws.protocol).toBe('');
  });

  it('rejects the send of a subprotocol the client did not offer', async () => {
    const errors: unknown[] = [];
    const server = await harness.start(acceptWith('v3', errors));
    const client = harness.client(server, '/', ['v1']);
    expect((await client.handshake()).kind).toBe('open');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(WsgateError);
    expect(errors[0]).toMatchObject({ code: 'PROTOCOL_VIOLATION' });
    expect(String(errors[0])).toContain('v3');
  });

  it('rejects accept headers that would break the handshake', async () => {
    const errors: unknown[] = [];
    const server = await harness.start(async (_scope, receive, send) => {
      await receive();
      for (const headers of [[['Connection', 'close']], [['x-a', 'b\r\nx-evil: 1']]] as const) {
        await send({ type: 'websocket.accept', headers }).catch((error: unknown) =>
          errors.push(error),
        );
      }
      await send({ type: 'websocket.close' });
    });
    const client = harness.client(server, '/');
    expect(await client.handshake()).toEqual({ kind: 'refused', status: 403 });
    expect(errors.map((error) => (error as WsgateError).code)).toEqual([
      'PROTOCOL_VIOLATION',
      'PROTOCOL_VIOLATION',
    ]);
  });
});

describe('closing and refusing', () => {
  it('refuses with HTTP 403 on a close before accept without a code', async () => {
    const logger = new RecordingLogger();
    const server = await harness.start(
      async (_scope, receive, send) => {
        await receive();
        await send({ type: 'websocket.close' });
        expect(await receive()).toEqual({ type: 'websocket.disconnect', code: 1006 });
      },
      { logger },
    );
    expect(await harness.client(server, '/').handshake()).toEqual({ kind: 'refused', status: 403 });
    await logger.waitFor('refused by the application');
  });

  it('refuses with HTTP 403 on a close before accept with a non-4xxx code', async () => {
    const server = await harness.start(async (_scope, receive, send) => {
      await receive();
      await send({ type: 'websocket.close', code: 1008 });
    });
    expect(await harness.client(server, '/').handshake()).toEqual({ kind: 'refused', status: 403 });
  });

  it('completes the upgrade to explain a 4xxx close before accept', async () => {
    const server = await harness.start(async (_scope, receive, send) => {
      await receive();
      await send({ type: 'websocket.close', code: 4401, reason: 'log in first' });
    });
    const client = harness.client(server, '/', ['v1']);
    expect((await client.handshake()).kind).toBe('open');
    expect(client.ws.protocol).toBe('v1');
    expect(JSON.parse((await client.message(0)) as string)).toEqual({
      type: 'auth.error',
      code: 4401,
      message: 'log in first',
    });
    expect(await client.close()).toEqual({ code: 4401, reason: 'log in first' });
  });

  it('uses the close code table for the auth.error message when there is no reason', async () => {
    const server = await harness.start(async (_scope, receive, send) => {
      await receive();
      await send({ type: 'websocket.close', code: 4403 });
    });
    const client = harness.client(server, '/');
    expect(JSON.parse((await client.message(0)) as string)).toMatchObject({
      code: 4403,
      message: 'forbidden or revoked',
    });
    expect((await client.close()).code).toBe(4403);
  });

  it('closes with the application code and reason after accept', async () => {
    const disconnect = deferred<InboundEvent>();
    const server = await harness.start(async (_scope, receive, send) => {
      await receive();
      await send({ type: 'websocket.accept' });
      await send({ type: 'websocket.close', code: 4000, reason: 'bye' });
      disconnect.resolve(await receive());
      // Later receives keep returning the disconnect instead of hanging.
      expect(await receive()).toEqual(await disconnect.promise);
    });
    const client = harness.client(server, '/');
    expect(await client.close()).toEqual({ code: 4000, reason: 'bye' });
    expect(await within(disconnect.promise, 'the disconnect')).toEqual({
      type: 'websocket.disconnect',
      code: 4000,
      reason: 'bye',
    });
  });

  it('closes 1000 when the application returns after accept', async () => {
    const server = await harness.start(async (_scope, receive, send) => {
      await receive();
      await send({ type: 'websocket.accept' });
    });
    expect((await harness.client(server, '/').close()).code).toBe(1000);
  });

  it('ignores sends after the close and logs them at debug', async () => {
    const logger = new RecordingLogger();
    const done = deferred();
    const server = await harness.start(
      async (_scope, receive, send) => {
        await receive();
        await send({ type: 'websocket.accept' });
        await untilDisconnect(receive);
        await send({ type: 'websocket.send', text: 'too late' });
        done.resolve();
      },
      { logger },
    );
    const client = harness.client(server, '/');
    await client.handshake();
    client.ws.close();
    await within(done.promise, 'the late send to resolve');
    expect((await logger.waitFor('after close')).level).toBe('debug');
  });
});

describe('applications that fail', () => {
  it('answers HTTP 500 when the application throws before accept, and keeps serving', async () => {
    const logger = new RecordingLogger();
    let calls = 0;
    const server = await harness.start(
      async (_scope, receive, send) => {
        calls += 1;
        await receive();
        if (calls === 1) throw new Error('boom');
        await send({ type: 'websocket.accept' });
      },
      { logger },
    );
    expect(await harness.client(server, '/first/').handshake()).toEqual({
      kind: 'refused',
      status: 500,
    });
    const entry = await logger.waitFor('application failed');
    expect(entry.level).toBe('error');
    expect(entry.details).toMatchObject({ path: '/first/' });
    expect((await harness.client(server, '/second/').close()).code).toBe(1000);
  });

  it('closes 1011 when the application throws after accept', async () => {
    const logger = new RecordingLogger();
    const server = await harness.start(
      async (_scope, receive, send) => {
        await receive();
        await send({ type: 'websocket.accept' });
        throw new Error('boom');
      },
      { logger },
    );
    expect((await harness.client(server, '/').close()).code).toBe(1011);
    expect((await logger.waitFor('application failed')).level).toBe('error');
  });

  it('answers HTTP 500 when the application returns without accepting or closing', async () => {
    const logger = new RecordingLogger();
    const server = await harness.start(async (_scope, receive) => void (await receive()), {
      logger,
    });
    expect(await harness.client(server, '/').handshake()).toEqual({ kind: 'refused', status: 500 });
    expect((await logger.waitFor('without accepting or closing')).level).toBe('error');
  });

  it('rejects websocket.send before accept, and malformed events', async () => {
    const errors: unknown[] = [];
    const server = await harness.start(async (_scope, receive, send) => {
      await receive();
      const bad: unknown[] = [
        { type: 'websocket.send', text: 'early' },
        { type: 'http.response.start', status: 200 },
        { type: 'websocket.send', text: 'a', bytes: new Uint8Array(1) },
        { type: 'websocket.close', code: 1005 },
        null,
      ];
      for (const event of bad) {
        await send(event as never).catch((error: unknown) => errors.push(error));
      }
      await send({ type: 'websocket.accept' });
      await send({ type: 'websocket.accept' }).catch((error: unknown) => errors.push(error));
    });
    expect((await harness.client(server, '/').close()).code).toBe(1000);
    expect(errors).toHaveLength(6);
    for (const error of errors) expect(error).toMatchObject({ code: 'PROTOCOL_VIOLATION' });
  });
});
