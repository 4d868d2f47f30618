import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InMemoryLoginThrottleStore } from './in-memory-login-throttle-store.js';

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('InMemoryLoginThrottleStore', () => {
  it('counts failures and forgets them ttlMs after the last one', () => {
    const store = new InMemoryLoginThrottleStore();
    expect(store.addFailure('k', 1_000)).toEqual({ failures: 1, lockedUntil: 0 });
    vi.advanceTimersByTime(600);
    expect(store.addFailure('k', 1_000)).toEqual({ failures: 2, lockedUntil: 0 });
    vi.advanceTimersByTime(999);
    expect(store.get('k')).toEqual({ failures: 2, lockedUntil: 0 });
    vi.advanceTimersByTime(1);
    expect(store.get('k')).toBeNull();
  });

  it('never shortens a lock, and keeps a locked key ttlMs past the lock', () => {
    const store = new InMemoryLoginThrottleStore();
    const now = Date.now();
    store.addFailure('k', 1_000);
    store.lock('k', now + 5_000, 1_000);
    store.lock('k', now + 2_000, 1_000);
    expect(store.get('k')).toEqual({ failures: 1, lockedUntil: now + 5_000 });
    vi.advanceTimersByTime(5_999);
    expect(store.get('k')).not.toBeNull();
    vi.advanceTimersByTime(1);
    expect(store.get('k')).toBeNull();
  });

  it('holds at most maxKeys, forgetting the least recently failed first', () => {
    const store = new InMemoryLoginThrottleStore({ maxKeys: 3 });
    for (const key of ['a', 'b', 'c']) store.addFailure(key, 60_000);
    store.addFailure('a', 60_000); // a is now the most recent
    store.addFailure('d', 60_000);
    expect(store.size).toBe(3);
    expect(['a', 'b', 'c', 'd'].map((key) => store.get(key)?.failures ?? 0)).toEqual([2, 0, 1, 1]);
  });

  it('deletes a key', () => {
    const store = new InMemoryLoginThrottleStore();
    store.addFailure('k', 1_000);
    store.delete('k');
    expect(store.get('k')).toBeNull();
  });

  it('refuses a maxKeys that is not a positive integer', () => {
    expect(() => new InMemoryLoginThrottleStore({ maxKeys: 0 })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION' }) as Error,
    );
  });
});
