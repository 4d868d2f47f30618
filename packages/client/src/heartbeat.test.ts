import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Heartbeat } from './heartbeat.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

function heartbeat(intervalMs = 1_000, timeoutMs = 300) {
  const ping = vi.fn();
  const dead = vi.fn();
  return { beat: new Heartbeat({ intervalMs, timeoutMs, ping, dead }), ping, dead };
}

describe('Heartbeat', () => {
  it('pings every interval while the server answers', () => {
    const { beat, ping, dead } = heartbeat();
    beat.start();
    for (let round = 1; round <= 3; round += 1) {
      vi.advanceTimersByTime(1_000);
      expect(ping).toHaveBeenCalledTimes(round);
      beat.alive();
    }
    expect(dead).not.toHaveBeenCalled();
    beat.stop();
  });

  it('reports the link dead when a ping goes unanswered for timeoutMs, then stops', () => {
    const { beat, ping, dead } = heartbeat();
    beat.start();
    vi.advanceTimersByTime(1_299);
    expect(dead).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(dead).toHaveBeenCalledOnce();
    expect(vi.getTimerCount()).toBe(0);
    expect(ping).toHaveBeenCalledOnce();
  });

  it('does not push the deadline back with a second ping', () => {
    const { beat, dead } = heartbeat(100, 250);
    beat.start();
    vi.advanceTimersByTime(349);
    expect(dead).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(dead).toHaveBeenCalledOnce();
  });

  it('check() pings at once, even with periodic pings off', () => {
    const { beat, ping, dead } = heartbeat(0, 300);
    beat.start();
    vi.advanceTimersByTime(10_000);
    expect(ping).not.toHaveBeenCalled();
    beat.check();
    expect(ping).toHaveBeenCalledOnce();
    vi.advanceTimersByTime(300);
    expect(dead).toHaveBeenCalledOnce();
  });

  it('stop() leaves no timers', () => {
    const { beat } = heartbeat();
    beat.start();
    beat.check();
    beat.stop();
    expect(vi.getTimerCount()).toBe(0);
  });
});
