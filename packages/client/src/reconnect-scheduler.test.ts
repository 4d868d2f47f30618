import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ScheduledAttempt } from './reconnect-scheduler.js';
import { ReconnectScheduler } from './reconnect-scheduler.js';

// Node has no online/offline signals: the browser's side is tested through the client.
let announced: ScheduledAttempt[];
let attempts: number[];
let onAnnounce: (attempt: ScheduledAttempt) => void;

function scheduler(): ReconnectScheduler {
  return new ReconnectScheduler({
    connect: () => attempts.push(Date.now()),
    checkLink: () => undefined,
    scheduled: (attempt) => {
      announced.push(attempt);
      onAnnounce(attempt);
    },
  });
}

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
  announced = [];
  attempts = [];
  onAnnounce = () => undefined;
});

afterEach(() => {
  vi.useRealTimers();
});

describe('ReconnectScheduler', () => {
  it('announces each attempt with its number and time, then makes it at that time', () => {
    const s = scheduler();
    s.schedule(300);
    expect(announced).toEqual([{ attempt: 1, delayMs: 300, retryAt: 1_000_300 }]);
    expect(s.retryAt).toBe(1_000_300);
    expect(s.pending).toBe(true);
    vi.advanceTimersByTime(299);
    expect(attempts).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(attempts).toEqual([1_000_300]);
    expect(s.retryAt).toBeNull();
    expect(s.pending).toBe(false);

    s.schedule(0);
    expect(announced.at(-1)).toEqual({ attempt: 2, delayMs: 0, retryAt: 1_000_300 });
    vi.advanceTimersByTime(0);
    expect(attempts).toHaveLength(2);
  });

  it('numbers from 1 again after startOver(), and counts now() as an attempt made at once', () => {
    const s = scheduler();
    s.schedule(100);
    s.schedule(100);
    s.startOver();
    s.now();
    expect(announced.map(({ attempt }) => attempt)).toEqual([1, 2, 1]);
    expect(announced.at(-1)).toEqual({ attempt: 1, delayMs: 0, retryAt: 1_000_000 });
    // now() replaced the pending attempt: one attempt, made synchronously, no timer left.
    expect(attempts).toEqual([1_000_000]);
    expect(vi.getTimerCount()).toBe(0);
    expect(s.retryAt).toBeNull();
  });

  it('forgets the attempt when cancelled or stopped', () => {
    const s = scheduler();
    s.schedule(100);
    s.cancel();
    expect(s.retryAt).toBeNull();
    s.schedule(100);
    s.stop();
    vi.advanceTimersByTime(1_000);
    expect(attempts).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('does not make an attempt that a listener of its announcement cancelled', () => {
    const s = scheduler();
    onAnnounce = () => s.stop();
    s.schedule(100);
    s.now();
    vi.advanceTimersByTime(1_000);
    expect(announced).toHaveLength(2);
    expect(attempts).toEqual([]);
  });
});
