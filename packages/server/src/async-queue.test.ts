import { describe, expect, it } from 'vitest';
import { AsyncQueue } from './async-queue.js';

describe('AsyncQueue', () => {
  it('hands items over in order, buffered or awaited', async () => {
    const queue = new AsyncQueue<number>();
    queue.push(1);
    const second = queue.shift().then(() => queue.shift());
    queue.push(2);
    expect(await second).toBe(2);
    const waiting = queue.shift();
    queue.push(3);
    expect(await waiting).toBe(3);
    expect(queue.length).toBe(0);
  });

  it('withdraws an aborted wait so the next item is not lost', async () => {
    const queue = new AsyncQueue<string>();
    const controller = new AbortController();
    const aborted = queue.shift(controller.signal);
    controller.abort(new Error('timed out'));
    await expect(aborted).rejects.toThrow('timed out');
    queue.push('kept');
    expect(queue.length).toBe(1);
    expect(await queue.shift()).toBe('kept');
  });

  it('rejects at once for an already aborted signal', async () => {
    const queue = new AsyncQueue<string>();
    await expect(queue.shift(AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone');
  });

  it('ends with a last item: queued items first, then every waiting and later shift', async () => {
    const queue = new AsyncQueue<string>();
    const waiting = [queue.shift(), queue.shift()];
    queue.end('done');
    expect(await Promise.all(waiting)).toEqual(['done', 'done']);
    queue.push('late');
    queue.end('ignored: the first end wins');
    expect(await queue.shift()).toBe('late');
    expect(await queue.shift()).toBe('done');
    expect(await queue.shift()).toBe('done');
  });

  it('withdraws an aborted wait from an ended queue too', async () => {
    const queue = new AsyncQueue<string>();
    const controller = new AbortController();
    const waiting = queue.shift(controller.signal);
    queue.end('done');
    expect(await waiting).toBe('done');
    controller.abort(new Error('too late to matter'));
    await expect(queue.shift(AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone');
  });

  it('keeps order across compaction of a long-lived queue', async () => {
    const queue = new AsyncQueue<number>();
    for (let i = 0; i < 5000; i++) queue.push(i);
    for (let i = 0; i < 5000; i++) expect(await queue.shift()).toBe(i);
  });
});
