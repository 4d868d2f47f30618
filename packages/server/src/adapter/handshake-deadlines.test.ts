import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HandshakeDeadlines } from './handshake-deadlines.js';

function target() {
  return { handshakeTimedOut: vi.fn() };
}

describe('HandshakeDeadlines', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] }));
  afterEach(() => vi.useRealTimers());

  it('times each handshake out timeoutMs after its start, in order, on one timer', () => {
    const deadlines = new HandshakeDeadlines(1000);
    const first = target();
    const second = target();
    deadlines.start(first);
    vi.advanceTimersByTime(400);
    deadlines.start(second);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(599);
    expect(first.handshakeTimedOut).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(first.handshakeTimedOut).toHaveBeenCalledOnce();
    expect(second.handshakeTimedOut).not.toHaveBeenCalled();
    vi.advanceTimersByTime(400);
    expect(second.handshakeTimedOut).toHaveBeenCalledOnce();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('never times out a cancelled handshake, and cancelling twice is harmless', () => {
    const deadlines = new HandshakeDeadlines(1000);
    const [first, second, third] = [target(), target(), target()];
    const firstDeadline = deadlines.start(first);
    vi.advanceTimersByTime(100);
    const secondDeadline = deadlines.start(second);
    vi.advanceTimersByTime(100);
    deadlines.start(third);
    deadlines.cancel(secondDeadline);
    deadlines.cancel(firstDeadline);
    deadlines.cancel(firstDeadline);
    vi.advanceTimersByTime(1000);
    expect(first.handshakeTimedOut).not.toHaveBeenCalled();
    expect(second.handshakeTimedOut).not.toHaveBeenCalled();
    expect(third.handshakeTimedOut).toHaveBeenCalledOnce();
  });

  it('starts its timer again for handshakes that begin after the list emptied', () => {
    const deadlines = new HandshakeDeadlines(1000);
    deadlines.cancel(deadlines.start(target()));
    vi.advanceTimersByTime(1000);
    expect(vi.getTimerCount()).toBe(0);
    const late = target();
    deadlines.start(late);
    vi.advanceTimersByTime(1000);
    expect(late.handshakeTimedOut).toHaveBeenCalledOnce();
  });

  it('lets a timed-out target end another due handshake from its callback', () => {
    const deadlines = new HandshakeDeadlines(1000);
    const second = target();
    const first = { handshakeTimedOut: vi.fn(() => deadlines.cancel(secondDeadline)) };
    deadlines.start(first);
    const secondDeadline = deadlines.start(second);
    vi.advanceTimersByTime(1000);
    expect(first.handshakeTimedOut).toHaveBeenCalledOnce();
    expect(second.handshakeTimedOut).not.toHaveBeenCalled();
  });
});
