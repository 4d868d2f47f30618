import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TokenBucket } from './token-bucket.js';

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('TokenBucket', () => {
  it('allows a full burst at once, then nothing until it refills', () => {
    const bucket = new TokenBucket({ ratePerSecond: 10, capacity: 3 });
    expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake()]).toEqual([true, true, true]);
    expect(bucket.tryTake()).toBe(false);
  });

  it('refills at the rate, continuously, and never past the capacity', () => {
    const bucket = new TokenBucket({ ratePerSecond: 10, capacity: 3 });
    for (let i = 0; i < 3; i += 1) bucket.tryTake();
    vi.advanceTimersByTime(99);
    expect(bucket.tryTake()).toBe(false);
    vi.advanceTimersByTime(1);
    expect(bucket.tryTake()).toBe(true);
    vi.advanceTimersByTime(60_000);
    expect(bucket.tokens).toBe(3);
  });

  it('says exactly how long until tokens are available, and until it is full', () => {
    const bucket = new TokenBucket({ ratePerSecond: 4, capacity: 8 });
    expect(bucket.msUntil(1)).toBe(0);
    expect(bucket.tryTake(8)).toBe(true);
    expect(bucket.msUntil(1)).toBe(250);
    expect(bucket.msUntilFull()).toBe(2_000);
    vi.advanceTimersByTime(249);
    expect(bucket.tryTake()).toBe(false);
    expect(bucket.msUntil(1)).toBe(1);
    vi.advanceTimersByTime(1);
    expect(bucket.tryTake()).toBe(true);
    expect(bucket.msUntil(9)).toBe(Infinity);
  });

  it('spends nothing when a take fails', () => {
    const bucket = new TokenBucket({ ratePerSecond: 1, capacity: 2 });
    expect(bucket.tryTake(3)).toBe(false);
    expect(bucket.tokens).toBe(2);
  });

  it.each([
    { ratePerSecond: 0, capacity: 1 },
    { ratePerSecond: 1, capacity: -1 },
    { ratePerSecond: Infinity, capacity: 1 },
    { ratePerSecond: 1, capacity: Number.NaN },
  ])('refuses %o at construction', (options) => {
    expect(() => new TokenBucket(options)).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION' }) as Error,
    );
  });
});
