import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeadlineQueue } from './deadline-queue.js';
import { ExpiryTimer } from './expiry-timer.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

function recorder() {
  const calls: string[] = [];
  const timer = new ExpiryTimer(
    1_000,
    {
      expiring: (expiresAt) => calls.push(`expiring ${expiresAt} at ${Date.now()}`),
      expired: () => calls.push(`expired at ${Date.now()}`),
    },
    new DeadlineQueue(),
  );
  return { calls, timer };
}

describe('ExpiryTimer', () => {
  it('gives notice ahead of the expiry, then the expiry', () => {
    const { calls, timer } = recorder();
    timer.schedule(1_010_000);
    vi.advanceTimersByTime(8_999);
    expect(calls).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(calls).toEqual(['expiring 1010000 at 1009000']);
    vi.advanceTimersByTime(1_000);
    expect(calls).toEqual(['expiring 1010000 at 1009000', 'expired at 1010000']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('gives notice at once when scheduled inside the notice window', () => {
    const { calls, timer } = recorder();
    timer.schedule(1_000_500);
    vi.advanceTimersByTime(0);
    expect(calls).toEqual(['expiring 1000500 at 1000000']);
  });

  it('replaces what it timed, and stops', () => {
    const { calls, timer } = recorder();
    timer.schedule(1_005_000);
    timer.schedule(1_020_000);
    vi.advanceTimersByTime(10_000);
    expect(calls).toEqual([]);
    timer.schedule(null);
    expect(vi.getTimerCount()).toBe(0);
    timer.schedule(1_030_000);
    timer.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('waits out expiries further away than one setTimeout can', () => {
    const { calls, timer } = recorder();
    const thirtyDays = 30 * 24 * 3600 * 1000;
    timer.schedule(Date.now() + thirtyDays);
    vi.advanceTimersByTime(thirtyDays - 1_001);
    expect(calls).toEqual([]);
    vi.advanceTimersByTime(1_001);
    expect(calls).toHaveLength(2);
  });

  it('without a notice time, only expires', () => {
    const calls: string[] = [];
    const timer = new ExpiryTimer(
      0,
      {
        expiring: () => calls.push('expiring'),
        expired: () => calls.push('expired'),
      },
      new DeadlineQueue(),
    );
    timer.schedule(Date.now() + 10);
    vi.advanceTimersByTime(10);
    expect(calls).toEqual(['expired']);
  });
});
