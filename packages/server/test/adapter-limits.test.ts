import { connect } from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import type { Application, InboundEvent, Receive, Send } from '@wsgate/shared';
import { deferred, Harness, RecordingLogger, within } from './adapter-fixtures.js';
import type { RawClient } from './raw-frames.js';
import { clientFrame, closeCodeOf, handshakeRequest, Opcode } from './raw-frames.js';
import type { RunningServer } from '../src/adapter/serve.js';

const harness = new Harness();
afterEach(async () => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  await harness.cleanup();
});

/** Accepts, then hands the rest of the connection to `body`. */
function accepting(body: (receive: Receive, send: Send) => Promise<void>): Application {
  return async (_scope, receive, send) => {
    await receive();
    await send({ type: 'websocket.accept' });
    await body(receive, send);
  };
}

/** Collects every event after accept until the disconnect. */
function recorder(seen: InboundEvent[], done = deferred()): Application {
  return accepting(async (receive) => {
    for (;;) {
      const event = await receive();
      seen.push(event);
      if (event.type === 'websocket.disconnect') break;
    }
    done.resolve();
  });
}

async function upgradedRaw(server: RunningServer): Promise<RawClient> {
  const raw = await harness.raw(server);
  raw.write(handshakeRequest('/'));
  expect(await within(raw.responseHead(), 'the 101')).toMatch(/^HTTP\/1.1 101 /);
  return raw;
}

describe('inbound limits', () => {
  it('closes 1009 on a message over maxPayload (64 KiB) and never delivers it', async () => {
    const seen: InboundEvent[] = [];
    const done = deferred();
    const server = await harness.start(recorder(seen, done));
    const client = harness.client(server, '/');
    await client.handshake();
    client.ws.send('x'.repeat(64 * 1024));
    client.ws.send('y'.repeat(64 * 1024 + 1));
    expect((await client.close()).code).toBe(1009);
    await within(done.promise, 'the application to finish');
    expect(seen.map((event) => event.type)).toEqual(['websocket.receive', 'websocket.disconnect']);
    expect(seen[0]).toMatchObject({ text: 'x'.repeat(64 * 1024) });
  });

  it('closes 1008 on a flood of empty continuation frames (maxFragments)', async () => {
    const seen: InboundEvent[] = [];
    const server = await harness.start(recorder(seen), { maxFragments: 100 });
    const raw = await upgradedRaw(server);
    const flood = [clientFrame(Opcode.text, '', false)];
    for (let i = 0; i < 1000; i += 1) flood.push(clientFrame(Opcode.continuation, '', false));
    raw.write(Buffer.concat(flood));
    const frame = await within(raw.nextFrame(), 'the close frame');
    expect(frame.opcode).toBe(Opcode.close);
    expect(closeCodeOf(frame)).toBe(1008);
    expect(seen.filter((event) => event.type === 'websocket.receive')).toEqual([]);
  });

  it('closes 1007 on a text frame that is not UTF-8', async () => {
    const seen: InboundEvent[] = [];
    const server = await harness.start(recorder(seen));
    const raw = await upgradedRaw(server);
    raw.write(clientFrame(Opcode.text, new Uint8Array([0x68, 0xff, 0xfe])));
    const frame = await within(raw.nextFrame(), 'the close frame');
    expect(closeCodeOf(frame)).toBe(1007);
    expect(seen.filter((event) => event.type === 'websocket.receive')).toEqual([]);
  });

  it('pauses a socket whose application falls behind, and loses nothing', async () => {
    const pause = vi.spyOn(WebSocket.prototype, 'pause');
    const release = deferred();
    const total = deferred<number>();
    const server = await harness.start(
      accepting(async (receive, send) => {
        await release.promise;
        let count = 0;
        for (;;) {
          const event = await receive();
          if (event.type !== 'websocket.receive') break;
          expect(event.text?.split(':')[0]).toBe(String(count));
          count += 1;
          if (event.text?.endsWith(':end') === true) break;
        }
        total.resolve(count);
        await send({ type: 'websocket.close' });
      }),
      { maxQueuedMessages: 4 },
    );
    const client = harness.client(server, '/');
    await client.handshake();
    const padding = 'p'.repeat(16 * 1024);
    let sent = 0;
    // Send until the client itself has to buffer: only possible if the server stopped reading.
    await within(
      new Promise<void>((resolve) => {
        const burst = (): void => {
          for (let i = 0; i < 16; i += 1) client.ws.send(`${sent++}:${padding}`);
          if (client.ws.bufferedAmount > 1024 * 1024 || sent >= 4000) resolve();
          else setImmediate(burst);
        };
        burst();
      }),
      'the client to feel backpressure',
      10_000,
    );
    expect(client.ws.bufferedAmount).toBeGreaterThan(1024 * 1024);
    expect(pause).toHaveBeenCalled();
    client.ws.send(`${sent}:end`);
    release.resolve();
    expect(await within(total.promise, 'every message', 10_000)).toBe(sent + 1);
  });
});

describe('handshake time-outs', () => {
  it('cuts off a client that trickles its request headers', async () => {
    const server = await harness.start(async () => {}, { handshakeTimeoutMs: 200 });
    const raw = await harness.raw(server);
    raw.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n');
    await within(raw.closed, 'the server to drop the socket', 3_000);
  });

  it('closes 4408 when the application never decides', async () => {
    const pending = deferred<InboundEvent>();
    const acceptResolved = deferred();
    const server = await harness.start(
      async (_scope, receive, send) => {
        await receive();
        pending.resolve(await receive());
        await send({ type: 'websocket.accept' });
        acceptResolved.resolve();
      },
      { handshakeTimeoutMs: 200 },
    );
    const client = harness.client(server, '/');
    expect((await client.handshake()).kind).toBe('open');
    expect(JSON.parse((await client.message(0)) as string)).toEqual({
      type: 'auth.error',
      code: 4408,
      message: 'authentication took too long',
    });
    expect((await client.close()).code).toBe(4408);
    expect(await within(pending.promise, 'the pending receive')).toMatchObject({
      type: 'websocket.disconnect',
      code: 4408,
    });
    await within(acceptResolved.promise, 'the late accept to be ignored');
  });

  it('cleans up after a TCP reset during the handshake: disconnect 1006, no upgrade, no timers', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    const handleUpgrade = vi.spyOn(WebSocketServer.prototype, 'handleUpgrade');
    const connected = deferred();
    const after = deferred<InboundEvent>();
    const server = await harness.start(async (_scope, receive, send) => {
      await receive();
      connected.resolve();
      after.resolve(await receive());
      await send({ type: 'websocket.accept' });
    });
    const raw = await harness.raw(server);
    raw.write(handshakeRequest('/'));
    await within(connected.promise, 'the application to start');
    expect(vi.getTimerCount()).toBe(1); // the handshake deadline
    raw.socket.resetAndDestroy();
    expect(await within(after.promise, 'the disconnect')).toEqual({
      type: 'websocket.disconnect',
      code: 1006,
    });
    expect(handleUpgrade).not.toHaveBeenCalled();
    // The server's one handshake timer may still be armed: it finds nothing due, and stops.
    vi.runOnlyPendingTimers();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('outbound backpressure', () => {
  const chunk = new Uint8Array(16 * 1024);
  const frameOverhead = 4;

  /** Sends until the socket is gone, each send awaited or not. */
  function pusher(awaitEach: boolean): Application {
    return accepting(async (receive, send) => {
      let open = true;
      const watching = receive().then(() => {
        open = false;
      });
      for (let i = 0; open && i < 10_000; i += 1) {
        const sending = send({ type: 'websocket.send', bytes: chunk });
        if (awaitEach) await sending;
        else if (i % 64 === 63) await new Promise((resolve) => setImmediate(resolve));
      }
      await watching;
    });
  }

  it('terminates a reader that does not drain within slowReaderTimeoutMs', async () => {
    const logger = new RecordingLogger();
    const limits = { sendHighWaterMark: 64 * 1024, maxBufferedAmount: 1024 * 1024 };
    const server = await harness.start(pusher(true), {
      ...limits,
      slowReaderTimeoutMs: 200,
      logger,
    });
    const raw = await upgradedRaw(server);
    raw.socket.pause();
    const entry = await logger.waitFor('slow reader');
    expect(entry.message).toContain('slowReaderTimeoutMs');
    expect(entry.level).toBe('warn');
    // Each send waited for the drain, so the buffer never held more than one message past the mark.
    expect(entry.details?.bufferedAmount).toBeLessThanOrEqual(
      limits.sendHighWaterMark + chunk.length + frameOverhead,
    );
    raw.socket.resume(); // a paused socket cannot see its end
    await within(raw.closed, 'the socket to be terminated');
  });

  it('terminates a reader past maxBufferedAmount when the application does not wait', async () => {
    const logger = new RecordingLogger();
    const limits = { sendHighWaterMark: 64 * 1024, maxBufferedAmount: 256 * 1024 };
    const server = await harness.start(pusher(false), { ...limits, logger });
    const raw = await upgradedRaw(server);
    raw.socket.pause();
    const entry = await logger.waitFor('slow reader');
    expect(entry.message).toContain('maxBufferedAmount');
    expect(entry.details?.bufferedAmount).toBeLessThanOrEqual(
      limits.maxBufferedAmount + chunk.length + frameOverhead,
    );
    raw.socket.resume();
    await within(raw.closed, 'the socket to be terminated');
    expect(logger.entries.filter((e) => e.message.includes('slow reader'))).toHaveLength(1);
  });
});

describe('dead links', () => {
  it('terminates a socket that stops answering pings', async () => {
    const logger = new RecordingLogger();
    const server = await harness.start(recorder([]), { pingIntervalMs: 50, logger });
    const raw = await upgradedRaw(server); // reads pings, never answers them
    await within(raw.closed, 'the dead link to be dropped');
    expect((await logger.waitFor('no pong')).level).toBe('debug');
  });

  it('keeps a socket that answers pings', async () => {
    const server = await harness.start(recorder([]), { pingIntervalMs: 30 });
    const client = harness.client(server, '/');
    await client.handshake();
    let pings = 0;
    await within(
      new Promise<void>((resolve) =>
        client.ws.on('ping', () => {
          pings += 1;
          if (pings === 4) resolve();
        }),
      ),
      'four pings',
    );
    expect(client.ws.readyState).toBe(WebSocket.OPEN);
  });
});

describe('close()', () => {
  it('closes sockets 1001, refuses pending handshakes 503, then stops listening', async () => {
    const connected = deferred();
    const server = await harness.start(async (scope, receive, send) => {
      await receive();
      if (scope.path === '/pending/') {
        connected.resolve();
        await receive();
        return;
      }
      await send({ type: 'websocket.accept' });
      await receive();
    });
    const open = harness.client(server, '/open/');
    await open.handshake();
    const pending = await harness.raw(server);
    pending.write(handshakeRequest('/pending/'));
    await within(connected.promise, 'the pending handshake');

    const closing = server.close();
    expect(server.close()).toBe(closing);
    expect(await open.close()).toEqual({ code: 1001, reason: 'server shutting down' });
    expect(await within(pending.responseHead(), 'the refusal')).toMatch(/^HTTP\/1.1 503 /);
    await within(closing, 'close() to resolve');

    const refused = connect(server.port, '127.0.0.1');
    const [error] = (await within(once(refused, 'error'), 'the refused connection')) as [
      Error & { code: string },
    ];
    expect(error.code).toBe('ECONNREFUSED');
  });

  it('waits for applications to finish their disconnect before it resolves', async () => {
    const disconnected = deferred();
    const cleanupMayEnd = deferred();
    let cleanedUp = false;
    const server = await harness.start(async (_scope, receive, send) => {
      await receive();
      await send({ type: 'websocket.accept' });
      await receive();
      disconnected.resolve();
      await cleanupMayEnd.promise;
      cleanedUp = true;
    });
    const client = harness.client(server, '/');
    await client.handshake();
    let resolved = false;
    const closing = server.close().then(() => (resolved = true));
    expect((await client.close()).code).toBe(1001);
    await within(disconnected.promise, 'the application to see the disconnect');
    await new Promise((next) => setImmediate(next));
    expect(resolved).toBe(false);
    cleanupMayEnd.resolve();
    await within(closing, 'close() to resolve');
    expect(cleanedUp).toBe(true);
  });

  it('stops waiting for an application still running after drainTimeoutMs', async () => {
    const server = await harness.start(
      async (_scope, receive, send) => {
        await receive();
        await send({ type: 'websocket.accept' });
        await receive();
        await new Promise(() => {}); // a disconnect handler that never ends
      },
      { drainTimeoutMs: 100 },
    );
    const client = harness.client(server, '/');
    await client.handshake();
    await within(server.close(), 'close() to resolve', 3_000);
    expect((await client.close()).code).toBe(1001);
  });

  it('terminates sockets that do not finish closing within drainTimeoutMs', async () => {
    const server = await harness.start(recorder([]), { drainTimeoutMs: 100 });
    const raw = await upgradedRaw(server);
    raw.socket.pause(); // never reads the close frame, never answers it
    await within(server.close(), 'close() to resolve', 3_000);
    raw.socket.resume();
    await within(raw.closed, 'the socket to be terminated');
  });
});
