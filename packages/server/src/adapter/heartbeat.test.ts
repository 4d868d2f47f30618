import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type WebSocket from 'ws';
import { Heartbeat } from './heartbeat.js';

class FakeSocket extends EventEmitter {
  pings = 0;
  ping(): void {
    this.pings += 1;
  }
}

function fake(): FakeSocket & WebSocket {
  return new FakeSocket() as FakeSocket & WebSocket;
}

describe('Heartbeat', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('pings every interval and calls onDead when no pong came back', () => {
    const heartbeat = new Heartbeat(1000);
    const ws = fake();
    const onDead = vi.fn();
    heartbeat.watch(ws, onDead);
    vi.advanceTimersByTime(1000);
    expect(ws.pings).toBe(1);
    vi.advanceTimersByTime(1000);
    expect(onDead).toHaveBeenCalledExactlyOnceWith(ws);
    expect(vi.getTimerCount()).toBe(0);
    expect(ws.listenerCount('pong')).toBe(0);
    vi.advanceTimersByTime(5000);
    expect(onDead).toHaveBeenCalledOnce();
  });

  it('counts a pong, or a message its owner reports, as a sign of life', () => {
    const heartbeat = new Heartbeat(1000);
    const ws = fake();
    const onDead = vi.fn();
    const pulse = heartbeat.watch(ws, onDead);
    vi.advanceTimersByTime(1000);
    ws.emit('pong');
    vi.advanceTimersByTime(1000);
    pulse.alive = true; // a message
    vi.advanceTimersByTime(1000);
    expect(ws.pings).toBe(3);
    expect(onDead).not.toHaveBeenCalled();
    heartbeat.unwatch(ws);
    heartbeat.unwatch(ws);
    expect(vi.getTimerCount()).toBe(0);
    expect(ws.listenerCount('pong')).toBe(0);
  });

  it('sweeps every socket with one timer, kept only while a socket is watched', () => {
    const heartbeat = new Heartbeat(1000);
    expect(vi.getTimerCount()).toBe(0);
    const sockets = [fake(), fake(), fake()];
    const dead = sockets.map((ws) => {
      const onDead = vi.fn();
      heartbeat.watch(ws, onDead);
      return onDead;
    });
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(1000);
    expect(sockets.map((ws) => ws.pings)).toEqual([1, 1, 1]);
    sockets[1]?.emit('pong');
    heartbeat.unwatch(sockets[2] as WebSocket);
    vi.advanceTimersByTime(1000);
    expect(dead.map((onDead) => onDead.mock.calls.length)).toEqual([1, 0, 0]);
    expect(sockets.map((ws) => ws.pings)).toEqual([1, 2, 1]);
    heartbeat.unwatch(sockets[1] as WebSocket);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('does nothing with an interval of 0', () => {
    const heartbeat = new Heartbeat(0);
    const ws = fake();
    heartbeat.watch(ws, () => {});
    expect(vi.getTimerCount()).toBe(0);
    expect(ws.listenerCount('pong')).toBe(0);
    heartbeat.unwatch(ws);
  });
});
