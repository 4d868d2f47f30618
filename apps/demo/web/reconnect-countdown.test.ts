import { afterEach, describe, expect, it, vi } from 'vitest';
import { ReconnectCountdown } from './reconnect-countdown.js';

afterEach(() => {
  vi.useRealTimers();
});

const options = { baseMs: 500, capMs: 4000, stableAfterMs: 5000 };

describe('ReconnectCountdown', () => {
  it("replays the client's full-jitter backoff from the draws it hands out", () => {
    vi.useFakeTimers({ now: 0 });
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const countdown = new ReconnectCountdown(options);
    const retries = [0, 1, 2, 3, 4].map(() => {
      countdown.random();
      return countdown.closed();
    });
    // floor(0.5 * min(4000, 500 * 2^n)): 250, 500, 1000, 2000, then capped at 2000.
    expect(retries).toEqual([250, 500, 1000, 2000, 2000]);
  });

  it('does not know when the client drew no jitter (4401, retryAfterMs)', () => {
    const countdown = new ReconnectCountdown(options);
    expect(countdown.closed()).toBeNull();
  });

  it('starts over after a connection stayed open, or after reset()', () => {
    vi.useFakeTimers({ now: 0 });
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const countdown = new ReconnectCountdown(options);
    countdown.random();
    countdown.closed();
    countdown.opened();
    vi.advanceTimersByTime(4999);
    countdown.random();
    expect(countdown.closed()).toBe(4999 + 500);
    countdown.opened();
    vi.advanceTimersByTime(5000);
    countdown.random();
    expect(countdown.closed()).toBe(5000 + 4999 + 250);
    countdown.random();
    countdown.closed();
    countdown.reset();
    countdown.random();
    expect(countdown.closed()).toBe(5000 + 4999 + 250);
  });
});
