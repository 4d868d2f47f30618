import { describe, expect, it } from 'vitest';
import type { OutgoingData } from './send-queue.js';
import { SendQueue } from './send-queue.js';

function flushAll(queue: SendQueue): [OutgoingData, unknown][] {
  const written: [OutgoingData, unknown][] = [];
  queue.flush((data, id) => (written.push([data, id]), true));
  return written;
}

describe('SendQueue', () => {
  it('flushes messages and requests in the order they were made', () => {
    const queue = new SendQueue(10);
    queue.pushMessage('a');
    queue.pushRequest(1, '{"type":"auth.whoami","id":1}');
    queue.pushMessage('b');
    expect(flushAll(queue)).toEqual([
      ['a', undefined],
      ['{"type":"auth.whoami","id":1}', 1],
      ['b', undefined],
    ]);
    expect(queue.size).toBe(0);
    expect(flushAll(queue)).toEqual([]);
  });

  it('refuses messages beyond the limit; requests do not count against it', () => {
    const queue = new SendQueue(2);
    expect(queue.pushMessage('a')).toBe(true);
    queue.pushRequest(1, 'r');
    expect(queue.pushMessage('b')).toBe(true);
    expect(queue.pushMessage('c')).toBe(false);
    expect(queue.size).toBe(2);
    expect(flushAll(queue).map(([data]) => data)).toEqual(['a', 'r', 'b']);
  });

  it('a limit of 0 queues nothing', () => {
    expect(new SendQueue(0).pushMessage('a')).toBe(false);
  });

  it('keeps what the writer did not take, for the next connection', () => {
    const queue = new SendQueue(10);
    for (const data of ['a', 'b', 'c']) queue.pushMessage(data);
    let budget = 1;
    queue.flush(() => budget-- > 0);
    expect(queue.size).toBe(2);
    expect(flushAll(queue).map(([data]) => data)).toEqual(['b', 'c']);
  });

  it('forgets a request that timed out before it was sent', () => {
    const queue = new SendQueue(10);
    queue.pushRequest(1, 'one');
    queue.pushRequest(2, 'two');
    queue.removeRequest(1);
    expect(flushAll(queue)).toEqual([['two', 2]]);
  });

  it('copies binary data, so a reused buffer does not change what is sent later', () => {
    const queue = new SendQueue(10);
    const bytes = new Uint8Array([1, 2, 3]);
    queue.pushMessage(bytes.subarray(1));
    const buffer = new Uint8Array([9]).buffer;
    queue.pushMessage(buffer);
    bytes[1] = 0;
    new Uint8Array(buffer)[0] = 0;
    const [first, second] = flushAll(queue).map(([data]) => data);
    expect(first).toEqual(new Uint8Array([2, 3]));
    expect(new Uint8Array(second as ArrayBufferLike)).toEqual(new Uint8Array([9]));
  });

  it('drain() empties the queue and hands back the messages (not the requests)', () => {
    const queue = new SendQueue(10);
    queue.pushMessage('a');
    queue.pushRequest(1, 'r');
    expect(queue.drain()).toEqual(['a']);
    expect(queue.size).toBe(0);
    expect(flushAll(queue)).toEqual([]);
  });
});
