/// <reference types="node" />
import { describe, expect } from 'vitest';
import { WebSocket } from 'ws';
import { serverTest as it } from './server-test.js';
import { nextEvent, record, stateReached, until } from './wait.js';

/** How far before Date.now() a Node timer may fire (see the retry-time test). */
const clockSlackMs = 5;

describe('state transitions', () => {
  it('goes connecting -> open once the server answered the handshake', async ({
    server,
    connect,
  }) => {
    const client = connect();
    expect(client.state).toBe('connecting');
    const log = record(client, ['state', 'open']);
    const opened = await nextEvent(client, 'open');
    expect(opened).toEqual({ user: null });
    expect(client.state).toBe('open');
    expect(log).toEqual([
      ['state', { state: 'open', previous: 'connecting' }],
      ['open', { user: null }],
    ]);
    expect(server.last.control).toEqual(['auth.whoami']);
  });

  it('goes open -> reconnecting -> open when the server restarts (1012)', async ({
    server,
    connect,
  }) => {
    const client = connect();
    await nextEvent(client, 'open');
    const log = record(client, ['close', 'state', 'open']);
    server.closeWith(server.last, 1012);
    await nextEvent(client, 'open');
    expect(log).toEqual([
      ['close', { code: 1012, reason: '', willReconnect: true }],
      ['state', { state: 'reconnecting', previous: 'open' }],
      ['state', { state: 'open', previous: 'reconnecting' }],
      ['open', { user: null }],
    ]);
    expect(server.connections).toHaveLength(2);
  });

  it('goes connecting -> reconnecting when the first attempt is refused, then opens', async ({
    server,
    connect,
  }) => {
    server.refusals.push({ code: 1013, message: 'try again later' });
    const client = connect();
    const log = record(client, ['close', 'state']);
    await nextEvent(client, 'open');
    expect(log).toEqual([
      ['close', { code: 1013, reason: 'try again later', willReconnect: true }],
      ['state', { state: 'reconnecting', previous: 'connecting' }],
      ['state', { state: 'open', previous: 'reconnecting' }],
    ]);
  });

  it('goes reconnecting -> closed on close() during the backoff, and never connects again', async ({
    server,
    connect,
  }) => {
    const client = connect({ reconnect: { baseMs: 60_000, random: () => 0.99 } });
    await nextEvent(client, 'open');
    server.closeWith(server.last, 1011);
    await stateReached(client, 'reconnecting');
    const log = record(client, ['state', 'close']);
    client.close();
    expect(client.state).toBe('closed');
    // No socket was open, so there is no close event: only the state change.
    expect(log).toEqual([['state', { state: 'closed', previous: 'reconnecting' }]]);
    expect(server.handshakes).toHaveLength(1);
  });

  it('goes open -> closed on close(), with a close event and a close frame to the server', async ({
    server,
    connect,
  }) => {
    const client = connect();
    await nextEvent(client, 'open');
    const closedOnServer = new Promise<number>((resolve) =>
      server.last.socket.on('close', (code) => resolve(code)),
    );
    const log = record(client, ['close', 'state']);
    client.close(4000, 'bye');
    expect(log).toEqual([
      ['close', { code: 4000, reason: 'bye', willReconnect: false }],
      ['state', { state: 'closed', previous: 'open' }],
    ]);
    expect(await closedOnServer).toBe(4000);
  });

  it('goes connecting -> closed on a terminal code during the first handshake', async ({
    server,
    connect,
  }) => {
    server.refusals.push({ code: 4403, message: 'banned' });
    const client = connect();
    const log = record(client, ['state']);
    await stateReached(client, 'closed');
    expect(log).toEqual([['state', { state: 'closed', previous: 'connecting' }]]);
  });

  it('goes closed -> connecting -> open on connect()', async ({ connect }) => {
    const client = connect();
    await nextEvent(client, 'open');
    client.close();
    const log = record(client, ['state']);
    client.connect();
    await nextEvent(client, 'open');
    expect(log).toEqual([
      ['state', { state: 'connecting', previous: 'closed' }],
      ['state', { state: 'open', previous: 'connecting' }],
    ]);
  });

  it('reconnects after the server vanished, with the attempts backing off', async ({
    server,
    connect,
  }) => {
    const client = connect();
    await nextEvent(client, 'open');
    await server.close();
    const failed = await nextEvent(client, 'close', (event) => event.code === 1006);
    expect(failed.willReconnect).toBe(true);
    expect(client.state).toBe('reconnecting');
    // Back on the same port: the client finds it on a later attempt.
    await server.restart();
    await nextEvent(client, 'open');
  });

  it('tells when it retries after a server restart, within the backoff, and retries then', async ({
    server,
    connect,
  }) => {
    const made: number[] = [];
    /** ws, noting when the client makes each attempt (the server may not be there to see it). */
    class NotingWebSocket extends WebSocket {
      constructor(...args: ConstructorParameters<typeof WebSocket>) {
        made.push(Date.now());
        super(...args);
      }
    }
    const backoff = { baseMs: 200, capMs: 800 };
    const client = connect({ WebSocket: NotingWebSocket, reconnect: backoff });
    await nextEvent(client, 'open');
    const log = record(client, ['reconnecting']);
    // Down until the first retry failed, so that the backoff grows at least once.
    const retryFailed = nextEvent(client, 'reconnecting', ({ attempt }) => attempt === 2);
    await server.close();
    await retryFailed;
    await server.restart();
    await nextEvent(client, 'open');

    const announced = log.map(([, event]) => event);
    // Attempt 2 may still find the server gone (the restart raced its delay): every one counts.
    expect(announced.length).toBeGreaterThanOrEqual(2);
    expect(made).toHaveLength(1 + announced.length);
    announced.forEach(({ attempt, delayMs, retryAt }, index) => {
      expect(attempt).toBe(index + 1);
      const ceiling = Math.min(backoff.capMs, backoff.baseMs * 2 ** index);
      expect(delayMs).toBeGreaterThanOrEqual(0);
      expect(delayMs).toBeLessThan(ceiling);
      // Node's timers count from the time the event loop last read its clock, so a timer can
      // run a few ms before Date.now() says it is due; earlier than that would be a bug.
      expect(made[index + 1]).toBeGreaterThanOrEqual(retryAt! - clockSlackMs);
      if (index > 0) expect(retryAt!).toBeGreaterThan(made[index]!);
    });
    expect(client.nextRetryAt).toBeNull();
  });
});

describe('messages', () => {
  it('delivers text and binary application frames, and never control frames', async ({
    server,
    connect,
  }) => {
    const client = connect();
    await nextEvent(client, 'open');
    const received: (string | ArrayBuffer)[] = [];
    client.on('message', (data) => received.push(data));
    server.sendRaw(server.last, '{"type":"chat.message","text":"hi"}');
    server.sendRaw(server.last, Buffer.from([1, 2, 3]));
    server.sendRaw(server.last, JSON.stringify({ type: 'session.pong', id: 99 }));
    server.sendRaw(server.last, 'plain text');
    await until(() => received.length === 3, 'three application frames');
    expect(received[0]).toBe('{"type":"chat.message","text":"hi"}');
    expect(new Uint8Array(received[1] as ArrayBuffer)).toEqual(new Uint8Array([1, 2, 3]));
    expect(received[2]).toBe('plain text');
  });

  it('sends text, binary and JSON while open', async ({ server, connect }) => {
    const client = connect();
    await nextEvent(client, 'open');
    expect(client.send('one')).toBe('sent');
    expect(client.send(new Uint8Array([7, 8]))).toBe('sent');
    expect(client.sendJson({ type: 'chat.message', text: 'two' })).toBe('sent');
    await until(() => server.last.received.length === 3, 'three frames on the server');
    expect(server.last.received).toEqual([
      'one',
      Buffer.from([7, 8]),
      '{"type":"chat.message","text":"two"}',
    ]);
  });

  it('queues sends while reconnecting and flushes them in order, after the handshake', async ({
    server,
    connect,
  }) => {
    const client = connect();
    await nextEvent(client, 'open');
    server.closeWith(server.last, 1012);
    await stateReached(client, 'reconnecting');
    const results = ['a', 'b', 'c'].map((data) => client.send(data));
    expect(results).toEqual(['queued', 'queued', 'queued']);
    await nextEvent(client, 'open');
    const second = await server.connection(1);
    await until(() => second.received.length === 3, 'the queued frames');
    expect(second.received).toEqual(['a', 'b', 'c']);
    expect(second.control[0]).toBe('auth.whoami');
  });

  it('drops what exceeds queueLimit with an error that hands the message back', async ({
    server,
    connect,
  }) => {
    const client = connect({ queueLimit: 2 });
    const errors = record(client, ['error']);
    expect([client.send('a'), client.send('b'), client.send('c')]).toEqual([
      'queued',
      'queued',
      'dropped',
    ]);
    expect(errors).toHaveLength(1);
    expect(errors[0]![1]).toMatchObject({ code: 'QUEUE_FULL', dropped: ['c'] });
    await nextEvent(client, 'open');
    await until(() => server.last.received.length === 2, 'the queued frames');
    expect(server.last.received).toEqual(['a', 'b']);
  });

  it('hands queued messages back in an error when the client closes', ({ connect }) => {
    const client = connect();
    client.send('never sent');
    const errors = record(client, ['error']);
    client.close();
    expect(errors[0]![1]).toMatchObject({ code: 'CLIENT_CLOSED', dropped: ['never sent'] });
    expect(client.send('after')).toBe('dropped');
    expect(errors[1]![1]).toMatchObject({ code: 'CLIENT_CLOSED', dropped: ['after'] });
  });

  it('reports malformed and unknown control frames as errors and keeps working', async ({
    server,
    connect,
  }) => {
    const client = connect();
    await nextEvent(client, 'open');
    const errors = record(client, ['error']);
    server.sendRaw(server.last, '{"type":"session.updated","ticket":5}');
    server.sendRaw(server.last, '{"type":"auth.hack"}');
    server.sendRaw(server.last, '{"type":"error","code":"OVERLOADED","message":"slow down"}');
    await until(() => errors.length === 3, 'three errors');
    expect(errors.map(([, error]) => error.code)).toEqual([
      'BAD_MESSAGE',
      'UNKNOWN_TYPE',
      'OVERLOADED',
    ]);
    expect(client.state).toBe('open');
    await expect(client.whoami()).resolves.toBeNull();
  });

  it('refuses to send what a WebSocket cannot, and JSON with a protocol type', ({ connect }) => {
    const client = connect();
    expect(() => client.send({ text: 'hi' } as never)).toThrow(/use sendJson/);
    expect(() => client.sendJson({ type: 'auth.login' })).toThrow(/belong to the protocol/);
    expect(() => client.sendJson(10n)).toThrow(/cannot serialise/);
  });
});

describe('heartbeat', () => {
  it('replaces a link whose server stopped answering', async ({ server, connect }) => {
    const client = connect({ heartbeatMs: 30, heartbeatTimeoutMs: 60 });
    await nextEvent(client, 'open');
    server.pause(server.last);
    const closed = await nextEvent(client, 'close');
    expect(closed).toMatchObject({ code: 1006, willReconnect: true });
    expect(closed.reason).toMatch(/session\.ping/);
    await nextEvent(client, 'open');
    expect(server.connections).toHaveLength(2);
  });

  it('keeps a link that answers its pings', async ({ server, connect }) => {
    const client = connect({ heartbeatMs: 20, heartbeatTimeoutMs: 1_000 });
    await nextEvent(client, 'open');
    await until(
      () => server.last.control.filter((type) => type === 'session.ping').length >= 3,
      'three pings',
    );
    expect(client.state).toBe('open');
    expect(server.connections).toHaveLength(1);
  });
});
