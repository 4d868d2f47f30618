import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Deadline, DeadlineQueue } from './deadline-queue.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

function setUp(count: number) {
  const queue = new DeadlineQueue();
  const fired: string[] = [];
  const deadlines = Array.from(
    { length: count },
    (_, index) => new Deadline(queue, () => fired.push(`${index} at ${Date.now()}`)),
  );
  return { fired, deadlines };
}

describe('DeadlineQueue', () => {
  it('fires each deadline at its time, earliest first, on one timer', () => {
    const { fired, deadlines } = setUp(4);
    const times = [1_000_300, 1_000_100, 1_000_400, 1_000_200];
    deadlines.forEach((deadline, index) => deadline.at(times[index] as number));
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(299);
    expect(fired).toEqual(['1 at 1000100', '3 at 1000200']);
    vi.advanceTimersByTime(101);
    expect(fired.slice(2)).toEqual(['0 at 1000300', '2 at 1000400']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('moves and cancels deadlines, and keeps no timer when none is left', () => {
    const { fired, deadlines } = setUp(3);
    const [a, b, c] = deadlines as [Deadline, Deadline, Deadline];
    a.at(1_000_100);
    b.at(1_000_200);
    c.at(1_000_300);
    a.at(1_000_250);
    b.stop();
    expect([a.isScheduled, b.isScheduled, c.isScheduled]).toEqual([true, false, true]);
    vi.advanceTimersByTime(300);
    expect(fired).toEqual(['0 at 1000250', '2 at 1000300']);
    c.at(1_000_500);
    c.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('fires a past deadline at once, and one rescheduled from its own fire later', () => {
    const queue = new DeadlineQueue();
    const fired: number[] = [];
    const repeat: Deadline = new Deadline(queue, () => {
      fired.push(Date.now());
      if (fired.length < 3) repeat.at(Date.now() + 1_000);
    });
    repeat.at(999_000);
    vi.advanceTimersByTime(0);
    vi.advanceTimersByTime(5_000);
    expect(fired).toEqual([1_000_000, 1_001_000, 1_002_000]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('waits out deadlines further away than one setTimeout can', () => {
    const { fired, deadlines } = setUp(1);
    const thirtyDays = 30 * 24 * 3600 * 1000;
    deadlines[0]?.at(Date.now() + thirtyDays);
    vi.advanceTimersByTime(thirtyDays - 1);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toHaveLength(1);
  });
});
