import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type WebSocket from 'ws';
import { OutboundFlow } from './outbound-flow.js';

/** A socket whose buffer the test fills and drains by hand. */
class FakeSocket extends EventEmitter {
  bufferedAmount = 0;
  writableNeedDrain = false;
  send(data: string | Uint8Array): void {
    this.bufferedAmount += data.length;
    if (this.bufferedAmount > 16) this.writableNeedDrain = true;
  }
  drain(): void {
    this.bufferedAmount = 0;
    this.writableNeedDrain = false;
    this.emit('drain');
  }
}

const limits = { sendHighWaterMark: 100, maxBufferedAmount: 400, slowReaderTimeoutMs: 1000 };

function setup() {
  const socket = new FakeSocket();
  const onStuck = vi.fn();
  // ws and the raw socket are one fake here: ws reports the socket's buffer as bufferedAmount.
  const flow = new OutboundFlow(
    socket as unknown as WebSocket,
    socket as unknown as Duplex,
    limits,
    onStuck,
  );
  return { socket, flow, onStuck };
}

async function settled(promise: Promise<void>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await Promise.resolve();
  await Promise.resolve();
  return done;
}

describe('OutboundFlow', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('resolves at once below the high-water mark', async () => {
    const { flow } = setup();
    expect(await settled(flow.send('x'.repeat(100)))).toBe(true);
  });

  it('waits above the high-water mark until the socket drains', async () => {
    const { socket, flow, onStuck } = setup();
    const first = flow.send('x'.repeat(150));
    const second = flow.send('x'.repeat(50));
    expect(await settled(first)).toBe(false);
    socket.drain();
    expect(await settled(first)).toBe(true);
    expect(await settled(second)).toBe(true);
    expect(onStuck).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('gives up on a socket that does not drain within slowReaderTimeoutMs', async () => {
    const { socket, flow, onStuck } = setup();
    const waiting = flow.send('x'.repeat(150));
    vi.advanceTimersByTime(1000);
    expect(await settled(waiting)).toBe(true);
    expect(onStuck).toHaveBeenCalledWith(
      expect.stringContaining('slowReaderTimeoutMs'),
      150,
      socket,
    );
  });

  it('gives up at once past maxBufferedAmount', async () => {
    const { socket, flow, onStuck } = setup();
    expect(await settled(flow.send('x'.repeat(401)))).toBe(true);
    expect(onStuck).toHaveBeenCalledWith(expect.stringContaining('maxBufferedAmount'), 401, socket);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('releases waiting sends when stopped (the socket closed)', async () => {
    const { flow } = setup();
    const waiting = flow.send('x'.repeat(150));
    flow.stop();
    expect(await settled(waiting)).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });
});
