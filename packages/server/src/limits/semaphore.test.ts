import { describe, expect, it } from 'vitest';
import { WsgateError } from '../errors.js';
import { Semaphore } from './semaphore.js';

interface Gate {
  readonly promise: Promise<void>;
  open(): void;
  fail(error: Error): void;
}

function gate(): Gate {
  let open!: () => void;
  let fail!: (error: Error) => void;
  const promise = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

/** Lets every pending promise continuation run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('Semaphore', () => {
  it('runs at most maxConcurrent tasks at once and starts the waiting ones in FIFO order', async () => {
    const semaphore = new Semaphore(2, { maxQueued: 10 });
    const gates = Array.from({ length: 6 }, gate);
    const started: number[] = [];
    let running = 0;
    let mostAtOnce = 0;
    const runs = gates.map((g, i) =>
      semaphore.run(async () => {
        started.push(i);
        running += 1;
        mostAtOnce = Math.max(mostAtOnce, running);
        await g.promise;
        running -= 1;
        return i;
      }),
    );
    await settle();
    expect(started).toEqual([0, 1]);
    expect([semaphore.running, semaphore.queued]).toEqual([2, 4]);

    // Finishing out of order still hands slots to the waiters in the order they came.
    gates[1]!.open();
    await settle();
    expect(started).toEqual([0, 1, 2]);
    gates[0]!.open();
    await settle();
    expect(started).toEqual([0, 1, 2, 3]);
    for (const g of gates) g.open();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    expect(mostAtOnce).toBe(2);
    expect([semaphore.running, semaphore.queued]).toEqual([0, 0]);
  });

  it('rejects at once with OVERLOADED, saying the server is busy, when the queue is full', async () => {
    const semaphore = new Semaphore(1, { maxQueued: 1 });
    const first = gate();
    const running = semaphore.run(() => first.promise);
    const waiting = semaphore.run(() => 'second');
    let ran = false;
    const refused = semaphore.run(() => {
      ran = true;
    });
    await expect(refused).rejects.toThrow(WsgateError);
    await expect(refused).rejects.toMatchObject({
      code: 'OVERLOADED',
      message: expect.stringContaining('the server is busy') as string,
    });
    expect(ran).toBe(false);
    first.open();
    await running;
    expect(await waiting).toBe('second');
    // Room again once the queue drained.
    expect(await semaphore.run(() => 'third')).toBe('third');
  });

  it('refuses every waiter with maxQueued 0 while the slots are taken', async () => {
    const semaphore = new Semaphore(1, { maxQueued: 0 });
    const first = gate();
    const running = semaphore.run(() => first.promise);
    await expect(semaphore.run(() => 'no')).rejects.toMatchObject({ code: 'OVERLOADED' });
    first.open();
    await running;
  });

  it('releases the slot when a task rejects or throws synchronously', async () => {
    const semaphore = new Semaphore(1, { maxQueued: 5 });
    const failing = gate();
    const rejected = semaphore.run(() => failing.promise);
    const thrown = semaphore.run(() => {
      throw new Error('sync boom');
    });
    const after = semaphore.run(() => 'still works');
    failing.fail(new Error('async boom'));
    await expect(rejected).rejects.toThrow('async boom');
    await expect(thrown).rejects.toThrow('sync boom');
    expect(await after).toBe('still works');
    expect([semaphore.running, semaphore.queued]).toEqual([0, 0]);
  });

  it('withdraws a waiting task whose signal aborts, and never runs it', async () => {
    const semaphore = new Semaphore(1, { maxQueued: 5 });
    const first = gate();
    const running = semaphore.run(() => first.promise);
    const controller = new AbortController();
    let ran = false;
    const abandoned = semaphore.run(
      () => {
        ran = true;
      },
      { signal: controller.signal },
    );
    const next = semaphore.run(() => 'next');
    controller.abort(new Error('client went away'));
    await expect(abandoned).rejects.toThrow('client went away');
    expect(semaphore.queued).toBe(1);
    first.open();
    await running;
    expect(await next).toBe('next');
    expect(ran).toBe(false);
  });

  it('does not start a task whose signal is already aborted, even with a free slot', async () => {
    const semaphore = new Semaphore(1);
    await expect(
      semaphore.run(() => 'no', { signal: AbortSignal.abort(new Error('gone')) }),
    ).rejects.toThrow('gone');
    expect(await semaphore.run(() => 'yes')).toBe('yes');
  });

  it.each([
    [0, {}],
    [1.5, {}],
    [Number.NaN, {}],
    [1, { maxQueued: -1 }],
    [1, { maxQueued: '10' }],
  ])('refuses maxConcurrent %s with %o at construction', (maxConcurrent, options) => {
    expect(() => new Semaphore(maxConcurrent, options as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION' }) as Error,
    );
  });
});
