import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SessionRecord } from './seal-session.js';
import { UnsealCache } from './unseal-cache.js';

function record(id: string, ttlMs = 60_000): SessionRecord {
  return { id: id.padEnd(22, 'x'), expiresAt: Date.now() + ttlMs, data: { user: { name: id } } };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('UnsealCache', () => {
  it('hands out a fresh copy of the data on every hit', () => {
    const cache = new UnsealCache(10);
    cache.set('seal-a', record('a'));
    const first = cache.get('seal-a');
    (first?.data.user as { name: string }).name = 'changed by the app';
    expect(cache.get('seal-a')?.data).toEqual({ user: { name: 'a' } });
    expect(cache.get('seal-b')).toBeUndefined();
  });

  it('evicts the least recently used entry beyond its capacity', () => {
    const cache = new UnsealCache(2);
    cache.set('a', record('a'));
    cache.set('b', record('b'));
    cache.get('a'); // a is now the most recently used
    cache.set('c', record('c'));
    expect(cache.size).toBe(2);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    expect(cache.get('c')).toBeDefined();
  });

  it('keeps one entry per seal, and evicts in order of last use across many entries', () => {
    const cache = new UnsealCache(3);
    for (const seal of ['a', 'b', 'c', 'a', 'd']) cache.set(seal, record(seal));
    expect(cache.size).toBe(3);
    cache.get('c'); // use order now: a, d, c (b was evicted by d)
    cache.set('e', record('e'));
    cache.set('f', record('f'));
    expect(['a', 'b', 'c', 'd', 'e', 'f'].map((seal) => cache.get(seal) !== undefined)).toEqual([
      false,
      false,
      true,
      false,
      true,
      true,
    ]);
  });

  it('never serves an expired entry, and forgets it', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const cache = new UnsealCache(10);
    cache.set('a', record('a', 1000));
    vi.setSystemTime(Date.now() + 1000);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('keeps nothing with capacity 0', () => {
    const cache = new UnsealCache(0);
    cache.set('a', record('a'));
    expect(cache.size).toBe(0);
    expect(cache.get('a')).toBeUndefined();
  });
});
