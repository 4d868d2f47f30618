import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InMemoryRevocationStore } from './in-memory-revocation-store.js';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('InMemoryRevocationStore', () => {
  it('remembers a revoked id for its ttl, then forgets it', () => {
    const store = new InMemoryRevocationStore();
    store.revoke('session-1', 60);
    expect(store.isRevoked('session-1')).toBe(true);
    expect(store.isRevoked('session-2')).toBe(false);
    vi.setSystemTime(Date.now() + 60_000);
    expect(store.isRevoked('session-1')).toBe(false);
    expect(store.size).toBe(0);
  });

  it('keeps the later expiry when an id is revoked twice', () => {
    const store = new InMemoryRevocationStore();
    store.revoke('session-1', 120);
    store.revoke('session-1', 10);
    vi.setSystemTime(Date.now() + 60_000);
    expect(store.isRevoked('session-1')).toBe(true);
  });

  it('sweeps expired entries that are never asked about, so memory stays bounded', () => {
    const store = new InMemoryRevocationStore();
    for (let i = 0; i < 1000; i += 1) store.revoke(`old-${i}`, 30);
    vi.setSystemTime(Date.now() + 61_000);
    store.revoke('new', 30);
    expect(store.size).toBe(1);
    expect(store.isRevoked('new')).toBe(true);
  });
});
