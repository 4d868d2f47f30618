import { describe, expect, it } from 'vitest';
import { Backoff, backoffDelay } from './backoff.js';

const options = (random: () => number) => ({ baseMs: 500, capMs: 30_000, random });

describe('backoffDelay', () => {
  it('draws from [0, base * 2^attempt) with full jitter', () => {
    expect(
      backoffDelay(
        0,
        options(() => 0),
      ),
    ).toBe(0);
    expect(
      backoffDelay(
        0,
        options(() => 0.999_999),
      ),
    ).toBe(499);
    expect(
      backoffDelay(
        3,
        options(() => 0.5),
      ),
    ).toBe(2000);
    expect(
      backoffDelay(
        3,
        options(() => 0.999_999),
      ),
    ).toBe(3999);
  });

  it('never exceeds the cap, however many attempts failed', () => {
    for (const attempt of [6, 7, 20, 1100]) {
      expect(
        backoffDelay(
          attempt,
          options(() => 0.999_999),
        ),
      ).toBe(29_999);
    }
  });

  it('stays within bounds for every random draw', () => {
    let seed = 42;
    // A small linear congruential generator: reproducible, unlike Math.random.
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let attempt = 0; attempt < 12; attempt += 1) {
      const ceiling = Math.min(30_000, 500 * 2 ** attempt);
      for (let draw = 0; draw < 50; draw += 1) {
        const delay = backoffDelay(attempt, options(random));
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(ceiling);
      }
    }
  });
});

describe('Backoff', () => {
  it('grows the ceiling per attempt and starts over after reset', () => {
    const backoff = new Backoff(options(() => 0.999_999));
    expect([backoff.next(), backoff.next(), backoff.next()]).toEqual([499, 999, 1999]);
    expect(backoff.attempt).toBe(3);
    backoff.reset();
    expect(backoff.attempt).toBe(0);
    expect(backoff.next()).toBe(499);
  });
});
