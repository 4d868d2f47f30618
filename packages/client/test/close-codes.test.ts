/// <reference types="node" />
import { describe, expect } from 'vitest';
import { serverTest as it } from './server-test.js';
import { nextEvent, record, stateReached } from './wait.js';

describe('terminal codes: closed, an error (and revoked for 4403), no reconnect', () => {
  it.for<[number, string, 'revoked' | undefined]>([
    [4403, 'banned', 'revoked'],
    [1008, 'policy', undefined],
    [1009, 'too big', undefined],
    [4400, 'bad messages again and again', undefined],
    [4000, 'the application says no', undefined],
  ])('%i', async ([code, message, extraEvent], { server, connect }) => {
    const client = connect();
    await nextEvent(client, 'open');
    const log = record(client, ['close', 'revoked', 'error', 'state']);
    server.closeWith(server.last, code, { message });
    await stateReached(client, 'closed');
    expect(log.map(([event]) => event)).toEqual([
      'close',
      ...(extraEvent ? [extraEvent] : []),
      'state',
      'error',
    ]);
    expect(log[0]![1]).toEqual({ code, reason: message, willReconnect: false });
    const error = log.at(-1)![1] as Error & { code: unknown };
    expect(error.code).toBe(code);
    expect(error.message).toContain(message);
    expect(server.handshakes).toHaveLength(1);
  });

  it('1000 from the server closes without an error', async ({ server, connect }) => {
    const client = connect();
    await nextEvent(client, 'open');
    const log = record(client, ['close', 'error', 'state']);
    server.last.socket.close(1000, 'done');
    await stateReached(client, 'closed');
    expect(log).toEqual([
      ['close', { code: 1000, reason: 'done', willReconnect: false }],
      ['state', { state: 'closed', previous: 'open' }],
    ]);
  });

  it('rejects pending requests with the close code and hands back queued messages', async ({
    server,
    connect,
  }) => {
    server.refusals.push({ code: 4403, message: 'banned' });
    const client = connect();
    const errors = record(client, ['error']);
    client.send('queued');
    const whoami = client.whoami();
    await expect(whoami).rejects.toMatchObject({ code: 4403 });
    expect(errors.map(([, error]) => error.code)).toEqual([4403, 'CLIENT_CLOSED']);
    expect(errors[1]![1].dropped).toEqual(['queued']);
  });
});

describe('reconnecting codes', () => {
  it.for([1001, 1011, 1012, 1013, 4408, 1006])(
    '%i reconnects with backoff',
    async (code, { server, connect }) => {
      const client = connect();
      await nextEvent(client, 'open');
      if (code === 1006) server.last.socket.terminate();
      else server.closeWith(server.last, code);
      const closed = await nextEvent(client, 'close');
      expect(closed).toMatchObject({ code, willReconnect: true });
      await nextEvent(client, 'open');
      expect(server.connections).toHaveLength(2);
    },
  );

  it('4429 waits retryAfterMs from the auth.error, not the backoff', async ({
    server,
    connect,
  }) => {
    // A backoff delay would be ~60 s here: reconnecting within the test's bound proves the
    // client took the server's 30 ms instead.
    const client = connect({ reconnect: { baseMs: 60_000, capMs: 60_000, random: () => 0.99 } });
    await nextEvent(client, 'open');
    server.closeWith(server.last, 4429, { message: 'slow down', retryAfterMs: 30 });
    await nextEvent(client, 'close', (event) => event.code === 4429 && event.willReconnect);
    await nextEvent(client, 'open');
  });

  it('4429 without retryAfterMs falls back to the backoff', async ({ server, connect }) => {
    const client = connect();
    await nextEvent(client, 'open');
    server.closeWith(server.last, 4429, { message: 'slow down' });
    await nextEvent(client, 'open');
    expect(server.connections).toHaveLength(2);
  });

  it('reconnect: false ends the client on any close, without an error', async ({
    server,
    connect,
  }) => {
    const client = connect({ reconnect: false });
    const log = record(client, ['close', 'error', 'state']);
    await nextEvent(client, 'open');
    server.closeWith(server.last, 1012);
    await stateReached(client, 'closed');
    expect(log.map(([event]) => event)).toEqual(['state', 'close', 'state']);
  });
});

describe('4401: refresh once, then reconnect; a second 4401 is terminal', () => {
  it('reconnects at once, without a backoff delay, and recovers', async ({ server, connect }) => {
    const client = connect({ reconnect: { baseMs: 60_000, capMs: 60_000, random: () => 0.99 } });
    await nextEvent(client, 'open');
    server.closeWith(server.last, 4401, { message: 'session expired' });
    await nextEvent(client, 'close', (event) => event.code === 4401 && event.willReconnect);
    await nextEvent(client, 'open');
  });

  it('stops with expired and an error when the retry is refused with 4401 again', async ({
    server,
    connect,
  }) => {
    server.refusals.push(
      { code: 4401, message: 'not authenticated' },
      { code: 4401, message: 'still not authenticated' },
    );
    const client = connect();
    const log = record(client, ['close', 'expired', 'error', 'state']);
    await stateReached(client, 'closed');
    expect(log.map(([event]) => event)).toEqual([
      'close',
      'state',
      'close',
      'expired',
      'state',
      'error',
    ]);
    expect(log[3]![1]).toEqual({ reason: 'still not authenticated' });
    expect(log[5]![1]).toMatchObject({ code: 4401 });
    expect(server.handshakes).toHaveLength(2);
  });

  it('exchanges the ticket in flight before the retry, so the retry carries the new cookie', async ({
    server,
    connect,
  }) => {
    const client = connect();
    await nextEvent(client, 'open');
    await client.login({ username: 'ada', password: 'lovelace' });
    server.closeWith(server.last, 4401, { message: 'session expired' });
    const reopened = await nextEvent(client, 'open');
    expect(reopened.user).toEqual({ id: 1, name: 'Ada' });
    expect(server.handshakes[1]!.cookie).toMatch(/^sid=/);
  });
});
