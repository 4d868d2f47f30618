import type { InboundEvent } from '@wsgate/shared';
import { describe, expect, it } from 'vitest';
import { anonymousUser } from '../auth/anonymous-user.js';
import { AsyncQueue } from '../async-queue.js';
import { SocketReceive } from './socket-receive.js';

/** A socket's events on demand, counting the reads. */
function source(events: InboundEvent[]) {
  const queue = new AsyncQueue<InboundEvent>();
  for (const event of events) queue.push(event);
  let reads = 0;
  return {
    queue,
    reads: () => reads,
    receive: () => {
      reads += 1;
      return queue.shift();
    },
  };
}

const text = (value: string): InboundEvent => ({ type: 'websocket.receive', text: value });

describe('SocketReceive', () => {
  it('passes application events on as the same objects, and keeps control frames', async () => {
    const app = text('hello');
    const bytes: InboundEvent = { type: 'websocket.receive', bytes: new Uint8Array([1]) };
    const socket = source([text('control'), app, text('control'), bytes]);
    const handled: string[] = [];
    const events = new SocketReceive(socket.receive, {
      control: (value) => value === 'control' && handled.push(value) > 0,
      disconnected: () => {},
    });
    expect(await events.receive()).toBe(app);
    expect(await events.receive()).toBe(bytes);
    expect(handled).toEqual(['control', 'control']);
  });

  it('reads the socket only when the application asks', async () => {
    const socket = source([text('a'), text('b'), text('c')]);
    const events = new SocketReceive(socket.receive, {
      control: () => false,
      disconnected: () => {},
    });
    await events.receive();
    await Promise.resolve();
    expect(socket.reads()).toBe(1);
  });

  it('wakes a waiting receive with an injected event, before later frames', async () => {
    const socket = source([]);
    const events = new SocketReceive(socket.receive, {
      control: () => false,
      disconnected: () => {},
    });
    const waiting = events.receive();
    const auth = { type: 'websocket.auth', user: anonymousUser, reason: 'expired' } as const;
    events.inject(auth);
    expect(await waiting).toBe(auth);
    socket.queue.push(text('later'));
    expect(await events.receive()).toEqual(text('later'));
  });

  it('reports the disconnect before the application sees it', async () => {
    const seen: string[] = [];
    const socket = source([{ type: 'websocket.disconnect', code: 1000 }]);
    const events = new SocketReceive(socket.receive, {
      control: () => false,
      disconnected: () => seen.push('middleware'),
    });
    const event = await events.receive();
    seen.push(event.type);
    expect(seen).toEqual(['middleware', 'websocket.disconnect']);
  });

  it("rethrows the socket's or a handler's failure to the application", async () => {
    const failure = new Error('handler broke');
    const socket = source([text('x')]);
    const events = new SocketReceive(socket.receive, {
      control: () => Promise.reject(failure),
      disconnected: () => {},
    });
    await expect(events.receive()).rejects.toBe(failure);
  });
});
