/**
 * What socketAuthMiddleware enforces with time on live sockets, with fake timers (and fake
 * Date) over real sockets: the expiry notice, the expiry itself, a refresh pushing both back,
 * and the periodic re-check catching deleted and changed users. Pings are off so that jumping
 * minutes ahead does not look like a dead link.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Harness } from './adapter-fixtures.js';
import { ProtocolClient, startStack } from './socket-auth-fixtures.js';
import type { StackOptions } from './socket-auth-fixtures.js';

const harness = new Harness();

beforeEach(() => {
  vi.useFakeTimers({
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
    now: Date.now(),
  });
});

afterEach(async () => {
  vi.useRealTimers();
  await harness.cleanup();
});

/** A stack with a 120 s session (so a 12 s notice) and pings off; alice logged in. */
async function loggedIn(options: StackOptions = {}) {
  const stack = await startStack(harness, {
    ...options,
    session: { ttl: 120, ...options.session },
    serve: { pingIntervalMs: 0 },
  });
  const client = await ProtocolClient.open(stack);
  await client.request('auth.login', {
    credentials: { username: 'alice', password: 'wonderland' },
  });
  const { expiresAt } = await client.next('session.updated');
  return { ...stack, client, expiresAt: expiresAt as number };
}

describe('session expiry on a live socket', () => {
  it('sends session.expiring ahead, then auth.expired, and the user is anonymous', async () => {
    const { client, expiresAt } = await loggedIn();
    await vi.advanceTimersByTimeAsync(expiresAt - 12_000 - Date.now() - 1);
    // A round trip: anything the server sent before its answer has arrived by then.
    await client.request('session.ping');
    expect(client.types()).not.toContain('session.expiring');
    await vi.advanceTimersByTimeAsync(1);
    expect(await client.next('session.expiring')).toEqual({ type: 'session.expiring', expiresAt });
    await client.request('session.ping');
    expect(client.types()).not.toContain('auth.expired');
    await vi.advanceTimersByTimeAsync(12_000);
    expect(await client.next('auth.expired')).toEqual({ type: 'auth.expired' });
    expect(await client.next('app.auth')).toMatchObject({ user: '1', reason: 'login' });
    await client.waitFor((frame) => frame.reason === 'expired', 'the consumer to hear the expiry');
    expect(await client.request('auth.whoami')).toMatchObject({ ok: true, user: null });
    client.send({ type: 'app.who' });
    expect(await client.next('app.who')).toMatchObject({ user: null });
  });

  it('closes 4401 at expiry with onExpiry: close', async () => {
    const { client } = await loggedIn({ socket: { onExpiry: 'close' } });
    await vi.advanceTimersByTimeAsync(120_000);
    expect((await client.closed).code).toBe(4401);
    expect(client.frames.at(-1)).toMatchObject({ type: 'auth.error', code: 4401 });
  });

  it('starts both timers again on a refresh', async () => {
    const { client } = await loggedIn({ socket: { expiringNoticeMs: 0 } });
    await vi.advanceTimersByTimeAsync(100_000);
    const refreshed = await client.request('session.refresh');
    expect(refreshed).toMatchObject({ ok: true, user: { id: '1' } });
    await vi.advanceTimersByTimeAsync(100_000);
    expect(await client.request('auth.whoami')).toMatchObject({ user: { id: '1' } });
    expect(client.types()).not.toContain('auth.expired');
    expect(client.types()).not.toContain('session.expiring');
    await vi.advanceTimersByTimeAsync(20_000);
    expect(await client.next('auth.expired')).toEqual({ type: 'auth.expired' });
  });

  it('times nothing for an anonymous socket', async () => {
    const stack = await startStack(harness, {
      session: { ttl: 120 },
      serve: { pingIntervalMs: 0 },
    });
    const client = await ProtocolClient.open(stack);
    await vi.advanceTimersByTimeAsync(600_000);
    expect(await client.request('auth.whoami')).toMatchObject({ user: null });
    expect(client.types()).toEqual(['auth.result']);
  });
});

describe('the periodic re-check', () => {
  it('revokes a socket whose user was deleted', async () => {
    const { client, users } = await loggedIn({ socket: { reverifyIntervalMs: 10_000 } });
    users.delete('1');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await client.next('auth.revoked')).toEqual({
      type: 'auth.revoked',
      reason: 'user changed',
    });
    await client.waitFor((frame) => frame.reason === 'revoked', 'the consumer to hear it');
    expect(await client.request('auth.whoami')).toMatchObject({ user: null });
  });

  it('revokes a socket whose user changed credentials (sessionAuthHash)', async () => {
    const { client, alice } = await loggedIn({ socket: { reverifyIntervalMs: 10_000 } });
    alice.sessionAuthHash = 'alice-v2';
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await client.next('auth.revoked')).toMatchObject({ reason: 'user changed' });
  });

  it('tells the consumer of changed fields, and stays quiet when nothing changed', async () => {
    const { client, alice } = await loggedIn({ socket: { reverifyIntervalMs: 10_000 } });
    await vi.advanceTimersByTimeAsync(10_000);
    await client.request('session.ping');
    expect(client.frames.filter((frame) => frame.reason === 'reverified')).toHaveLength(0);
    (alice as { username: string }).username = 'alice2';
    await vi.advanceTimersByTimeAsync(10_000);
    await client.waitFor((frame) => frame.reason === 'reverified', 'the reverified event');
    await client.request('session.ping');
    expect(client.frames.filter((frame) => frame.reason === 'reverified')).toHaveLength(1);
    expect(client.types()).not.toContain('auth.revoked');
  });
});
