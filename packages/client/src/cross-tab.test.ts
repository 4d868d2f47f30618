import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CrossTabOptions } from './cross-tab.js';
import { CrossTab } from './cross-tab.js';

// Node has BroadcastChannel but no Web Locks: these tests exercise the BroadcastChannel claim.
const tabs: CrossTab[] = [];

function tab(overrides: Partial<CrossTabOptions> = {}): CrossTab {
  const created = new CrossTab({
    name: `wsgate:test-${expect.getState().currentTestName ?? ''}`,
    enabled: true,
    claimTimeoutMs: 2_000,
    signedOut: () => undefined,
    ...overrides,
  });
  tabs.push(created);
  return created;
}

afterEach(() => {
  for (const created of tabs.splice(0)) created.close();
  vi.unstubAllGlobals();
});

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

describe('CrossTab', () => {
  it('tells the other tabs about a sign-out', async () => {
    const heard = deferred();
    const reasons: string[] = [];
    tab().signedOut('logged out in another tab');
    tab({ signedOut: (reason) => (reasons.push(reason), heard.resolve()) });
    // The message was posted before the second tab existed: it must not see it.
    const first = tab();
    first.signedOut('second message');
    await heard.promise;
    expect(reasons).toEqual(['second message']);
  });

  it('runs one tab’s exclusive work after another’s finished', async () => {
    const name = 'wsgate:claim';
    const a = tab({ name });
    const b = tab({ name });
    const observer = new BroadcastChannel(name);
    const claimed = new Promise<void>((resolve) => {
      observer.onmessage = (event: MessageEvent<{ type: string }>) => {
        if (event.data.type === 'refresh-start') resolve();
      };
    });
    const order: string[] = [];
    const release = deferred();
    const first = a.exclusive(async () => {
      order.push('a start');
      await release.promise;
      order.push('a end');
    });
    await claimed;
    const second = b.exclusive(() => {
      order.push('b');
      return Promise.resolve();
    });
    // One full turn of the event loop: b would have run by now if it ignored the claim.
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(order).toEqual(['a start']);
    release.resolve();
    await Promise.all([first, second]);
    expect(order).toEqual(['a start', 'a end', 'b']);
    observer.close();
  });

  it('serialises calls within one tab, and a failure does not block the next', async () => {
    const a = tab();
    const failing = a.exclusive(() => Promise.reject(new Error('refresh failed')));
    const next = a.exclusive(() => Promise.resolve('ok'));
    await expect(failing).rejects.toThrow('refresh failed');
    await expect(next).resolves.toBe('ok');
  });

  it('uses the Web Locks API where it exists', async () => {
    const request = vi.fn((_name: string, work: () => Promise<unknown>) => work());
    vi.stubGlobal('navigator', { locks: { request } });
    const a = tab({ name: 'wsgate:locks' });
    await expect(a.exclusive(() => Promise.resolve(42))).resolves.toBe(42);
    expect(request).toHaveBeenCalledWith('wsgate:locks', expect.any(Function));
  });

  it('does nothing across tabs when disabled', async () => {
    const signedOut = vi.fn();
    tab({ enabled: false, signedOut });
    tab({ enabled: false }).signedOut('x');
    await expect(tab({ enabled: false }).exclusive(() => Promise.resolve(1))).resolves.toBe(1);
    expect(signedOut).not.toHaveBeenCalled();
  });
});
