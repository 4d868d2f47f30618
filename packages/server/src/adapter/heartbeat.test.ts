import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type WebSocket from 'ws';
import { startHeartbeat } from './heartbeat.js';

class FakeSocket extends EventEmitter {
  pings = 0;
  ping(): void {
    this.pings += 1;
  }
}

describe('startHeartbeat', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('pings every interval and calls onDead when no pong came back', () => {
    const ws = new FakeSocket();
    const onDead = vi.fn();
    startHeartbeat(ws as unknown as WebSocket, 1000, onDead);
    vi.advanceTimersByTime(1000);
    expect(ws.pings).toBe(1);
    vi.advanceTimersByTime(1000);
    expect(onDead).toHaveBeenCalledOnce();
    expect(vi.getTimerCount()).toBe(0);
    expect(ws.listenerCount('pong')).toBe(0);
  });

  it('counts a pong or a message as a sign of life', () => {
    const ws = new FakeSocket();
    const onDead = vi.fn();
    const stop = startHeartbeat(ws as unknown as WebSocket, 1000, onDead);
    vi.advanceTimersByTime(1000);
    ws.emit('pong');
    vi.advanceTimersByTime(1000);
    ws.emit('message');
    vi.advanceTimersByTime(1000);
    expect(ws.pings).toBe(3);
    expect(onDead).not.toHaveBeenCalled();
    stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('does nothing with an interval of 0', () => {
    const ws = new FakeSocket();
    startHeartbeat(ws as unknown as WebSocket, 0, () => {});
    expect(vi.getTimerCount()).toBe(0);
    expect(ws.listenerCount('pong')).toBe(0);
  });
});
