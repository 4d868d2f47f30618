import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeWebSocket } from '../test/fake-websocket.js';
import type { ClientOptions } from './client-options.js';
import type { ClientEvents, WsgateClient } from './client-types.js';
import { createClient } from './create-client.js';

// The client's timing with fake timers and a scripted socket: exact delays, no network.
let clients: WsgateClient[] = [];

function client(options: Partial<ClientOptions> = {}): WsgateClient {
  const created = createClient({
    url: 'ws://app.test/ws/',
    WebSocket: FakeWebSocket,
    reconnect: { baseMs: 1_000, capMs: 4_000, stableAfterMs: 5_000, random: () => 0.5 },
    heartbeatMs: 0,
    crossTab: false,
    ...options,
  });
  created.on('error', () => undefined);
  clients.push(created);
  return created;
}

/** Every `reconnecting` event of `c` from now on, in order. */
function announcements(c: WsgateClient): ClientEvents['reconnecting'][] {
  const seen: ClientEvents['reconnecting'][] = [];
  c.on('reconnecting', (event) => seen.push(event));
  return seen;
}

/** Advances to the next connection attempt; returns how long it took. */
function untilNextSocket(limitMs = 120_000): number {
  const before = FakeWebSocket.instances.length;
  for (let elapsed = 0; elapsed <= limitMs; elapsed += 1) {
    if (FakeWebSocket.instances.length > before) return elapsed;
    vi.advanceTimersByTime(1);
  }
  throw new Error(`no new socket within ${limitMs} ms`);
}

beforeEach(() => {
  vi.useFakeTimers();
  FakeWebSocket.instances.length = 0;
});

afterEach(() => {
  for (const created of clients) created.close();
  clients = [];
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('reconnect timing', () => {
  it('backs off with full jitter up to the cap, and starts over after a stable connection', () => {
    client();
    const delays: number[] = [];
    for (let attempt = 0; attempt < 4; attempt += 1) {
      FakeWebSocket.last.serverClose(1006);
      delays.push(untilNextSocket());
    }
    // random() = 0.5 of ceilings 1000, 2000, 4000, 4000 (capped).
    expect(delays).toEqual([500, 1_000, 2_000, 2_000]);

    FakeWebSocket.last.accept();
    vi.advanceTimersByTime(4_999);
    FakeWebSocket.last.serverClose(1006);
    expect(untilNextSocket()).toBe(2_000);

    FakeWebSocket.last.accept();
    vi.advanceTimersByTime(5_000);
    FakeWebSocket.last.serverClose(1006);
    expect(untilNextSocket()).toBe(500);
  });

  it('waits exactly retryAfterMs after 4429', async () => {
    client();
    FakeWebSocket.last.accept();
    FakeWebSocket.last.refuse(4429, 'slow down', 7_777);
    await vi.advanceTimersByTimeAsync(0);
    expect(untilNextSocket()).toBe(7_777);
  });

  it('reconnects at once after 4401, ends on a second one, and may refresh again once stable', async () => {
    const c = client();
    FakeWebSocket.last.accept();
    FakeWebSocket.last.refuse(4401, 'expired');
    await vi.advanceTimersByTimeAsync(0);
    expect(FakeWebSocket.instances).toHaveLength(2);

    // Stable for stableAfterMs: a later 4401 gets its refresh again.
    FakeWebSocket.last.accept();
    vi.advanceTimersByTime(5_000);
    FakeWebSocket.last.refuse(4401, 'expired');
    await vi.advanceTimersByTimeAsync(0);
    expect(FakeWebSocket.instances).toHaveLength(3);

    FakeWebSocket.last.refuse(4401, 'expired again');
    await vi.advanceTimersByTimeAsync(0);
    expect(c.state).toBe('closed');
    expect(FakeWebSocket.instances).toHaveLength(3);
  });

  it('replaces a connection whose handshake never completes', () => {
    const c = client({ requestTimeoutMs: 3_000 });
    const closes: unknown[] = [];
    c.on('close', (event) => closes.push(event));
    FakeWebSocket.last.open();
    vi.advanceTimersByTime(2_999);
    expect(closes).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(FakeWebSocket.last.terminated).toBe(true);
    expect(closes).toEqual([
      { code: 1006, reason: 'no handshake within 3000 ms', willReconnect: true },
    ]);
    expect(c.state).toBe('reconnecting');
  });

  it('replaces a link that stops answering pings', () => {
    const c = client({ heartbeatMs: 1_000, heartbeatTimeoutMs: 300 });
    FakeWebSocket.last.accept();
    vi.advanceTimersByTime(1_000);
    expect(FakeWebSocket.last.controls.at(-1)).toMatchObject({ type: 'session.ping' });
    FakeWebSocket.last.receive({
      type: 'session.pong',
      id: FakeWebSocket.last.controls.at(-1)!.id,
    });
    vi.advanceTimersByTime(1_000);
    vi.advanceTimersByTime(299);
    expect(c.state).toBe('open');
    vi.advanceTimersByTime(1);
    expect(FakeWebSocket.last.terminated).toBe(true);
    expect(c.state).toBe('reconnecting');
  });
});

describe('the reconnecting event and nextRetryAt', () => {
  it('tells each backoff attempt’s number, delay and time, and the attempt comes then', () => {
    const c = client();
    const seen = announcements(c);
    for (const [attempt, delayMs] of [
      [1, 500],
      [2, 1_000],
      [3, 2_000],
      [4, 2_000],
    ] as const) {
      FakeWebSocket.last.serverClose(1006);
      const retryAt = Date.now() + delayMs;
      expect(seen.at(-1)).toEqual({ attempt, delayMs, retryAt });
      expect(c.nextRetryAt).toBe(retryAt);
      expect(untilNextSocket()).toBe(delayMs);
      expect(Date.now()).toBe(retryAt);
      expect(c.nextRetryAt).toBeNull();
    }
    expect(seen).toHaveLength(4);
  });

  it('numbers attempts from 1 again once a connection was stable, not before', () => {
    const c = client();
    const seen = announcements(c);
    FakeWebSocket.last.serverClose(1006);
    untilNextSocket();
    FakeWebSocket.last.accept();
    expect(c.nextRetryAt).toBeNull();
    vi.advanceTimersByTime(4_999);
    FakeWebSocket.last.serverClose(1006);
    expect(seen.at(-1)).toMatchObject({ attempt: 2, delayMs: 1_000 });
    untilNextSocket();
    FakeWebSocket.last.accept();
    vi.advanceTimersByTime(5_000);
    FakeWebSocket.last.serverClose(1006);
    expect(seen.at(-1)).toMatchObject({ attempt: 1, delayMs: 500 });
  });

  it('tells the server’s retryAfterMs after 4429, and 0 once the refresh after 4401 settled', async () => {
    const c = client();
    const seen = announcements(c);
    FakeWebSocket.last.accept();
    FakeWebSocket.last.refuse(4429, 'slow down', 7_777);
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toEqual([{ attempt: 1, delayMs: 7_777, retryAt: Date.now() + 7_777 }]);
    expect(untilNextSocket()).toBe(7_777);

    FakeWebSocket.last.accept();
    FakeWebSocket.last.refuse(4401, 'expired');
    const closedAt = Date.now();
    await vi.advanceTimersByTimeAsync(0);
    expect(seen.at(-1)).toEqual({ attempt: 2, delayMs: 0, retryAt: closedAt });
    expect(FakeWebSocket.instances).toHaveLength(3);
  });

  it('announces connect() as attempt 1, made at once; the first connection is not announced', () => {
    const c = client();
    const seen = announcements(c);
    FakeWebSocket.last.serverClose(1006);
    untilNextSocket();
    c.close();
    expect(seen).toHaveLength(1);
    c.connect();
    expect(seen.at(-1)).toEqual({ attempt: 1, delayMs: 0, retryAt: Date.now() });
    expect(FakeWebSocket.instances).toHaveLength(3);
    expect(c.nextRetryAt).toBeNull();
  });

  it('lets a reconnecting listener close the client: no attempt is made, no timer is left', () => {
    const c = client();
    c.on('reconnecting', () => c.close());
    FakeWebSocket.last.serverClose(1006);
    expect(c.state).toBe('closed');
    expect(c.nextRetryAt).toBeNull();
    c.connect();
    expect(c.state).toBe('closed');
    vi.advanceTimersByTime(60_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('browser signals (stubbed globals)', () => {
  function stubWindow(onLine: boolean) {
    const listeners = new Map<string, () => void>();
    const navigator = { onLine };
    vi.stubGlobal('navigator', navigator);
    vi.stubGlobal('addEventListener', (type: string, listener: () => void) =>
      listeners.set(type, listener),
    );
    vi.stubGlobal('removeEventListener', (type: string) => listeners.delete(type));
    return { navigator, fire: (type: string) => listeners.get(type)?.() };
  }

  it('does not burn attempts while offline, and reconnects at once when back online', () => {
    const browser = stubWindow(false);
    const c = client();
    const seen = announcements(c);
    FakeWebSocket.last.serverClose(1006);
    // No time to tell while offline.
    expect(seen).toEqual([{ attempt: 1, delayMs: null, retryAt: null }]);
    expect(c.nextRetryAt).toBeNull();
    vi.advanceTimersByTime(60_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
    browser.navigator.onLine = true;
    browser.fire('online');
    expect(seen.at(-1)).toEqual({ attempt: 1, delayMs: 0, retryAt: Date.now() });
    expect(FakeWebSocket.instances).toHaveLength(2);
  });

  it('pauses a pending attempt when the browser goes offline', () => {
    const browser = stubWindow(true);
    const seen = announcements(client());
    FakeWebSocket.last.serverClose(1006);
    browser.fire('offline');
    // The attempt announced for 500 ms from now waits for the network instead: said again.
    expect(seen).toEqual([
      { attempt: 1, delayMs: 500, retryAt: Date.now() + 500 },
      { attempt: 1, delayMs: null, retryAt: null },
    ]);
    vi.advanceTimersByTime(60_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
    browser.fire('online');
    expect(seen.at(-1)).toEqual({ attempt: 1, delayMs: 0, retryAt: Date.now() });
    expect(FakeWebSocket.instances).toHaveLength(2);
  });

  it('checks the link with a ping when the page becomes visible', () => {
    let onVisibility: (() => void) | undefined;
    vi.stubGlobal('document', {
      visibilityState: 'visible',
      addEventListener: (_: string, listener: () => void) => (onVisibility = listener),
      removeEventListener: () => undefined,
    });
    client({ heartbeatTimeoutMs: 500 });
    FakeWebSocket.last.accept();
    onVisibility?.();
    expect(FakeWebSocket.last.controls.at(-1)).toMatchObject({ type: 'session.ping' });
    vi.advanceTimersByTime(500);
    expect(FakeWebSocket.last.terminated).toBe(true);
  });

  it('stops listening once closed', () => {
    const browser = stubWindow(true);
    const c = client();
    c.close();
    browser.fire('online');
    expect(FakeWebSocket.instances).toHaveLength(1);
  });
});

describe('handshake and sockets', () => {
  it('passes headers and the cookie jar to the socket only when there are some', () => {
    client();
    expect(FakeWebSocket.last.options).toBeUndefined();
    client({ headers: { Origin: 'http://app.test', Cookie: 'a=1' } });
    expect(FakeWebSocket.last.options).toEqual({
      headers: { origin: 'http://app.test', cookie: 'a=1' },
    });
    expect(FakeWebSocket.last.binaryType).toBe('arraybuffer');
  });

  it('opens without a user when the server does not know auth.whoami', () => {
    const c = client();
    FakeWebSocket.last.open();
    const { id } = FakeWebSocket.last.controls[0]!;
    FakeWebSocket.last.receive({ type: 'error', id, code: 'UNKNOWN_TYPE', message: 'unknown' });
    expect(c.state).toBe('open');
    expect(c.user).toBeNull();
  });

  it('flushes queued requests and messages in order once the handshake is answered', async () => {
    const c = client();
    c.send('one');
    const whoami = c.whoami();
    c.send('two');
    FakeWebSocket.last.open();
    expect(FakeWebSocket.last.sent).toEqual(['{"type":"auth.whoami","id":2}']);
    FakeWebSocket.last.answerHandshake();
    expect(FakeWebSocket.last.sent.slice(1)).toEqual([
      'one',
      '{"type":"auth.whoami","id":1}',
      'two',
    ]);
    FakeWebSocket.last.receive({ type: 'auth.result', id: 1, ok: true, user: { id: 7 } });
    await expect(whoami).resolves.toEqual({ id: 7 });
  });

  it('lets a close listener end the client mid-reconnect', () => {
    const c = client();
    FakeWebSocket.last.accept();
    c.on('close', () => c.close());
    FakeWebSocket.last.serverClose(1012);
    expect(c.state).toBe('closed');
    vi.advanceTimersByTime(60_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('leaves no timers behind after close()', () => {
    const c = client({ heartbeatMs: 1_000 });
    FakeWebSocket.last.accept();
    c.close();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('events', () => {
  it('rethrows a listener’s exception on its own, and keeps going', () => {
    const rethrown: (() => void)[] = [];
    vi.stubGlobal('queueMicrotask', (task: () => void) => rethrown.push(task));
    const c = client();
    const seen: string[] = [];
    c.on('open', () => {
      throw new Error('listener bug');
    });
    c.on('open', () => seen.push('second listener'));
    FakeWebSocket.last.accept();
    expect(c.state).toBe('open');
    expect(seen).toEqual(['second listener']);
    expect(rethrown).toHaveLength(1);
    expect(() => rethrown[0]!()).toThrow('listener bug');
  });

  it('writes errors to console.warn when nobody listens, rather than losing them', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const c = createClient({ url: 'ws://app.test/ws/', WebSocket: FakeWebSocket, queueLimit: 0 });
    clients.push(c);
    c.send('x');
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ code: 'QUEUE_FULL' }));
  });

  it('off() removes a listener', () => {
    const c = client();
    const listener = vi.fn();
    c.on('open', listener);
    c.off('open', listener);
    FakeWebSocket.last.accept();
    expect(listener).not.toHaveBeenCalled();
  });
});
