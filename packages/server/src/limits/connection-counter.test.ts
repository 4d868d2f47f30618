import { describe, expect, it } from 'vitest';
import { ConnectionCounter } from './connection-counter.js';

describe('ConnectionCounter', () => {
  it('is full at the limit, per key', () => {
    const counter = new ConnectionCounter(2);
    counter.add('alice');
    expect(counter.isFull('alice')).toBe(false);
    counter.add('alice');
    expect(counter.isFull('alice')).toBe(true);
    expect(counter.isFull('bob')).toBe(false);
  });

  it('counts each release once, however often it is called, and forgets keys at zero', () => {
    const counter = new ConnectionCounter(5);
    const first = counter.add('alice');
    const second = counter.add('alice');
    first();
    first();
    expect(counter.count('alice')).toBe(1);
    second();
    expect(counter.count('alice')).toBe(0);
    expect(counter.size).toBe(0);
  });

  it('counts with no limit when the limit is Infinity', () => {
    const counter = new ConnectionCounter(Infinity);
    for (let i = 0; i < 1000; i += 1) counter.add('alice');
    expect([counter.isFull('alice'), counter.count('alice')]).toEqual([false, 1000]);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses a limit of %s', (limit) => {
    expect(() => new ConnectionCounter(limit)).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION' }) as Error,
    );
  });
});
