import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CookieJar } from './cookie-jar.js';
import type { SessionSyncOptions } from './session-sync.js';
import { SessionSync } from './session-sync.js';

const crossTab = {
  name: 'wsgate:test',
  enabled: false,
  claimTimeoutMs: 1_000,
  signedOut: () => undefined,
};

function sync(overrides: Partial<SessionSyncOptions> = {}) {
  const refreshDue = vi.fn();
  const error = vi.fn();
  const session = new SessionSync({
    exchange: undefined,
    refreshAt: 0.8,
    crossTab,
    refreshDue,
    error,
    ...overrides,
  });
  return { session, refreshDue, error };
}

describe('SessionSync refresh schedule', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  it('asks for a refresh at refreshAt of the remaining life', () => {
    const { session, refreshDue } = sync();
    session.updated('t', Date.now() + 10_000);
    vi.advanceTimersByTime(7_999);
    expect(refreshDue).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(refreshDue).toHaveBeenCalledOnce();
  });

  it('replaces the schedule when a newer session arrives', () => {
    const { session, refreshDue } = sync();
    session.updated('t1', Date.now() + 10_000);
    vi.advanceTimersByTime(5_000);
    session.updated('t2', Date.now() + 10_000);
    vi.advanceTimersByTime(7_999);
    expect(refreshDue).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(refreshDue).toHaveBeenCalledOnce();
  });

  it('waits out sessions longer than setTimeout can count (14 days and more)', () => {
    const { session, refreshDue } = sync();
    const days = 40 * 24 * 3_600_000;
    session.updated('t', Date.now() + days);
    vi.advanceTimersByTime(2 ** 31);
    expect(refreshDue).not.toHaveBeenCalled();
    vi.advanceTimersByTime(days * 0.8 - 2 ** 31);
    expect(refreshDue).toHaveBeenCalledOnce();
  });

  it('schedules nothing for a session that already expired, and stop() clears the timer', () => {
    const { session, refreshDue } = sync();
    session.updated('t', Date.now() - 1);
    expect(vi.getTimerCount()).toBe(0);
    session.updated('t', Date.now() + 1_000);
    session.stop();
    vi.advanceTimersByTime(10_000);
    expect(refreshDue).not.toHaveBeenCalled();
  });
});

describe('SessionSync ticket exchange', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('exchanges tickets in arrival order and keeps the cookie (Node)', async () => {
    const bodies: string[] = [];
    vi.stubGlobal('fetch', (_url: string, init: RequestInit) => {
      bodies.push(init.body as string);
      const id = bodies.length;
      return Promise.resolve(
        new Response(null, { status: 204, headers: { 'set-cookie': `sid=${id}; Path=/` } }),
      );
    });
    const jar = new CookieJar();
    const { session } = sync({
      exchange: { endpoint: 'http://x/wsgate/session', jar, headers: {}, timeoutMs: 1_000 },
    });
    session.updated('first', Date.now() + 60_000);
    session.updated('second', Date.now() + 60_000);
    await expect(session.settled()).resolves.toBeUndefined();
    expect(bodies).toEqual(['{"ticket":"first"}', '{"ticket":"second"}']);
    expect(jar.header()).toBe('sid=2');
    session.stop();
  });

  it('reports a refused ticket and returns it from settled() and withCookie()', async () => {
    vi.stubGlobal('fetch', () => Promise.resolve(new Response(null, { status: 401 })));
    const jar = new CookieJar();
    const { session, error } = sync({
      exchange: { endpoint: 'http://x/s', jar, headers: {}, timeoutMs: 1_000 },
    });
    const [answer, failure] = await session.withCookie(() => {
      session.updated('t', Date.now() + 60_000);
      return Promise.resolve('answer');
    });
    expect(answer).toBe('answer');
    expect(failure).toMatchObject({ code: 'TICKET_EXCHANGE_FAILED', status: 401 });
    expect(error).toHaveBeenCalledWith(failure);
    session.stop();
  });

  it('withCookie() does not wait for, or blame, an older ticket', async () => {
    vi.stubGlobal('fetch', () => Promise.resolve(new Response(null, { status: 401 })));
    const { session } = sync({
      exchange: { endpoint: 'http://x/s', jar: new CookieJar(), headers: {}, timeoutMs: 1_000 },
    });
    session.updated('old', Date.now() + 60_000);
    await session.settled();
    await expect(session.withCookie(() => Promise.resolve(1))).resolves.toEqual([1, undefined]);
    session.stop();
  });

  it('refresh() shares one refresh between concurrent calls and rejects on a refused ticket', async () => {
    vi.stubGlobal('fetch', () => Promise.resolve(new Response(null, { status: 401 })));
    const { session } = sync({
      exchange: { endpoint: 'http://x/s', jar: new CookieJar(), headers: {}, timeoutMs: 1_000 },
    });
    session.start();
    const request = vi.fn(() => {
      session.updated('t', Date.now() + 60_000);
      return Promise.resolve();
    });
    const first = session.refresh(request);
    const second = session.refresh(request);
    expect(second).toBe(first);
    await expect(first).rejects.toMatchObject({ code: 'TICKET_EXCHANGE_FAILED' });
    expect(request).toHaveBeenCalledOnce();
    session.stop();
  });
});
