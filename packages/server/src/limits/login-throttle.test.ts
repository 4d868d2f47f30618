import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InMemoryLoginThrottleStore } from './in-memory-login-throttle-store.js';
import { LoginThrottle } from './login-throttle.js';
import { Semaphore } from './semaphore.js';
import type { FailureRecord, LoginThrottleStore } from './login-throttle-store.js';

const minute = 60_000;

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

async function fail(
  throttle: LoginThrottle,
  times: number,
  account: string | null,
  address: string,
) {
  let last;
  for (let i = 0; i < times; i += 1) last = await throttle.recordFailure(account, address);
  return last;
}

describe('LoginThrottle per account', () => {
  it('allows maxFailuresPerAccount failures, then locks the account for lockoutMs', async () => {
    const throttle = new LoginThrottle({ maxFailuresPerAccount: 3, lockoutMs: minute });
    expect(await fail(throttle, 2, 'alice', '10.0.0.1')).toEqual({ allowed: true });
    expect(await throttle.check('alice', '10.0.0.1')).toEqual({ allowed: true });
    expect(await throttle.recordFailure('alice', '10.0.0.1')).toEqual({
      allowed: false,
      retryAfterMs: minute,
    });
    // From another address too: the account is what is locked.
    expect(await throttle.check('alice', '10.0.0.2')).toEqual({
      allowed: false,
      retryAfterMs: minute,
    });
    expect(await throttle.check('bob', '10.0.0.2')).toEqual({ allowed: true });
  });

  it('counts down retryAfterMs as time passes and allows again when it reaches 0', async () => {
    const throttle = new LoginThrottle({ maxFailuresPerAccount: 1, lockoutMs: minute });
    await throttle.recordFailure('alice', '10.0.0.1');
    vi.advanceTimersByTime(20_000);
    expect(await throttle.check('alice', '10.0.0.1')).toEqual({
      allowed: false,
      retryAfterMs: 40_000,
    });
    vi.advanceTimersByTime(39_999);
    expect(await throttle.check('alice', '10.0.0.1')).toEqual({ allowed: false, retryAfterMs: 1 });
    vi.advanceTimersByTime(1);
    expect(await throttle.check('alice', '10.0.0.1')).toEqual({ allowed: true });
  });

  it('doubles the lockout with each failure past the limit, up to maxLockoutMs', async () => {
    const throttle = new LoginThrottle({
      maxFailuresPerAccount: 2,
      lockoutMs: minute,
      maxLockoutMs: 5 * minute,
      windowMs: 60 * minute,
    });
    await throttle.recordFailure('alice', '10.0.0.1');
    const lockouts: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const decision = await throttle.recordFailure('alice', '10.0.0.1');
      if (decision.allowed) throw new Error('expected a lockout');
      lockouts.push(decision.retryAfterMs);
      vi.advanceTimersByTime(decision.retryAfterMs); // the attacker waits it out and tries again
    }
    expect(lockouts).toEqual([minute, 2 * minute, 4 * minute, 5 * minute, 5 * minute]);
  });

  it('forgets failures windowMs after the last one', async () => {
    const throttle = new LoginThrottle({ maxFailuresPerAccount: 3, windowMs: 10 * minute });
    await fail(throttle, 2, 'alice', '10.0.0.1');
    vi.advanceTimersByTime(10 * minute - 1);
    // Still remembered: this third failure locks.
    expect((await throttle.recordFailure('alice', '10.0.0.1')).allowed).toBe(false);

    const fresh = new LoginThrottle({ maxFailuresPerAccount: 3, windowMs: 10 * minute });
    await fail(fresh, 2, 'bob', '10.0.0.1');
    vi.advanceTimersByTime(10 * minute);
    expect(await fail(fresh, 2, 'bob', '10.0.0.1')).toEqual({ allowed: true });
  });

  it('remembers a locked account for windowMs after its lockout ends, so the next failure locks again', async () => {
    const throttle = new LoginThrottle({
      maxFailuresPerAccount: 2,
      lockoutMs: 15 * minute,
      maxLockoutMs: 15 * minute,
      windowMs: 15 * minute,
    });
    await fail(throttle, 2, 'alice', '10.0.0.1');
    vi.advanceTimersByTime(15 * minute + 1);
    expect(await throttle.check('alice', '10.0.0.1')).toEqual({ allowed: true });
    expect((await throttle.recordFailure('alice', '10.0.0.1')).allowed).toBe(false);
  });

  it('clears the account on success, but not the address', async () => {
    const throttle = new LoginThrottle({ maxFailuresPerAccount: 3, maxFailuresPerAddress: 4 });
    await fail(throttle, 2, 'alice', '10.0.0.1');
    await throttle.recordSuccess('alice', '10.0.0.1');
    expect(await fail(throttle, 1, 'alice', '10.0.0.1')).toEqual({ allowed: true });
    // The address has 3 failures now; one more, on any account, reaches its limit of 4.
    expect((await throttle.recordFailure('mallory', '10.0.0.1')).allowed).toBe(false);
  });

  it('treats an unknown account like any other: its failures count and lock the same', async () => {
    const throttle = new LoginThrottle({ maxFailuresPerAccount: 2 });
    const known = await fail(throttle, 2, 'alice', '10.0.0.1');
    const unknown = await fail(throttle, 2, 'no-such-user', '10.0.0.2');
    expect(unknown).toEqual(known);
  });
});

describe('LoginThrottle under parallel attempts', () => {
  /** 50 wrong guesses at once; `inside` checks in the Semaphore slot, else before queueing. */
  async function guessInParallel(inside: boolean) {
    const throttle = new LoginThrottle({ maxFailuresPerAccount: 5, maxFailuresPerAddress: 1_000 });
    const hashing = new Semaphore(1, { maxQueued: 100 });
    let guesses = 0;
    const wrongPassword = async () => {
      guesses += 1;
      await new Promise<void>((resolve) => queueMicrotask(resolve));
      await throttle.recordFailure('alice', '10.0.0.1');
    };
    const attempt = async () => {
      if (!inside && !(await throttle.check('alice', '10.0.0.1')).allowed) return;
      await hashing.run(async () => {
        if (inside && !(await throttle.check('alice', '10.0.0.1')).allowed) return;
        await wrongPassword();
      });
    };
    await Promise.all(Array.from({ length: 50 }, attempt));
    return guesses;
  }

  it('lets exactly maxFailuresPerAccount guesses through when checked in the Semaphore slot', async () => {
    expect(await guessInParallel(true)).toBe(5);
  });

  it('(the pitfall it avoids) lets every guess through when checked before queueing', async () => {
    expect(await guessInParallel(false)).toBe(50);
  });
});

describe('LoginThrottle per address', () => {
  it('locks an address spraying many usernames after maxFailuresPerAddress', async () => {
    const throttle = new LoginThrottle({ maxFailuresPerAddress: 5, lockoutMs: minute });
    for (let i = 0; i < 4; i += 1) {
      expect(await throttle.recordFailure(`user${i}`, '192.0.2.9')).toEqual({ allowed: true });
    }
    expect(await throttle.recordFailure('user4', '192.0.2.9')).toEqual({
      allowed: false,
      retryAfterMs: minute,
    });
    expect(await throttle.check('someone-new', '192.0.2.9')).toMatchObject({ allowed: false });
    expect(await throttle.check('someone-new', '192.0.2.10')).toEqual({ allowed: true });
  });

  it('counts an IPv6 /64 as one address, and IPv4-mapped addresses as IPv4', async () => {
    const throttle = new LoginThrottle({ maxFailuresPerAddress: 2 });
    await throttle.recordFailure('a', '2001:db8:1:2::1');
    await throttle.recordFailure('b', '2001:db8:1:2:ffff::9');
    expect(await throttle.check('c', '2001:db8:1:2::77')).toMatchObject({ allowed: false });
    expect(await throttle.check('c', '2001:db8:1:3::1')).toEqual({ allowed: true });

    await throttle.recordFailure('a', '::ffff:198.51.100.1');
    await throttle.recordFailure('b', '198.51.100.1');
    expect(await throttle.check('c', '198.51.100.1')).toMatchObject({ allowed: false });
  });

  it('counts only the address when the credentials name no account, and only the account with no address', async () => {
    const throttle = new LoginThrottle({ maxFailuresPerAccount: 1, maxFailuresPerAddress: 1 });
    await throttle.recordFailure(null, '10.0.0.1');
    expect(await throttle.check('alice', '10.0.0.1')).toMatchObject({ allowed: false });
    await throttle.recordFailure('bob', null);
    expect(await throttle.check('bob', '10.0.0.2')).toMatchObject({ allowed: false });
    expect(await throttle.check(null, '10.0.0.2')).toEqual({ allowed: true });
  });

  it('reports the longer of an account and an address lockout', async () => {
    const throttle = new LoginThrottle({
      maxFailuresPerAccount: 1,
      maxFailuresPerAddress: 1,
      lockoutMs: minute,
      windowMs: 60 * minute,
    });
    await throttle.recordFailure('alice', '10.0.0.1'); // both locked for 1 minute
    vi.advanceTimersByTime(minute);
    const decision = await throttle.recordFailure('bob', '10.0.0.1'); // address: 2 minutes now
    expect(decision).toEqual({ allowed: false, retryAfterMs: 2 * minute });
    expect(await throttle.check('carol', '10.0.0.1')).toEqual({
      allowed: false,
      retryAfterMs: 2 * minute,
    });
  });
});

describe('LoginThrottle memory and stores', () => {
  it('keeps memory bounded when an attacker sprays usernames from many addresses', async () => {
    const store = new InMemoryLoginThrottleStore({ maxKeys: 1_000 });
    const throttle = new LoginThrottle({ store });
    for (let i = 0; i < 5_000; i += 1) {
      await throttle.recordFailure(`user-${i}`, `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`);
    }
    expect(store.size).toBeLessThanOrEqual(1_000);
    // The most recent failures are the ones kept.
    await fail(throttle, 4, 'user-4999', '10.0.19.135');
    expect(await throttle.check('user-4999', '10.9.9.9')).toMatchObject({ allowed: false });
  });

  it('forgets expired entries as it writes, not only when full', async () => {
    const store = new InMemoryLoginThrottleStore({ maxKeys: 1_000 });
    const throttle = new LoginThrottle({ store, windowMs: minute, maxFailuresPerAddress: 1_000 });
    for (let i = 0; i < 100; i += 1) await throttle.recordFailure(`user-${i}`, '10.0.0.1');
    expect(store.size).toBe(101);
    vi.advanceTimersByTime(minute);
    await throttle.recordFailure('late', '10.0.0.2');
    expect(store.size).toBe(2);
  });

  it('stores a huge username under a short hashed key', async () => {
    const keys: string[] = [];
    const store = new InMemoryLoginThrottleStore();
    const spy: LoginThrottleStore = {
      get: (key) => store.get(key),
      addFailure: (key, ttlMs) => {
        keys.push(key);
        return store.addFailure(key, ttlMs);
      },
      lock: (key, until, ttlMs) => store.lock(key, until, ttlMs),
      delete: (key) => store.delete(key),
    };
    const throttle = new LoginThrottle({ store: spy, maxFailuresPerAccount: 2 });
    const huge = 'x'.repeat(1_000_000);
    await fail(throttle, 2, huge, '10.0.0.1');
    expect(keys.every((key) => key.length <= 128)).toBe(true);
    expect(await throttle.check(huge, '10.0.0.9')).toMatchObject({ allowed: false });
    expect(await throttle.check(`${huge}y`, '10.0.0.9')).toEqual({ allowed: true });
  });

  it('works over an asynchronous store and counts parallel failures without losing any', async () => {
    const memory = new InMemoryLoginThrottleStore();
    const later = <T>(value: () => T) =>
      new Promise<T>((resolve) => queueMicrotask(() => resolve(value())));
    const asyncStore: LoginThrottleStore = {
      get: (key) => later(() => memory.get(key)),
      addFailure: (key, ttlMs) => later(() => memory.addFailure(key, ttlMs)),
      lock: (key, until, ttlMs) => later(() => memory.lock(key, until, ttlMs)),
      delete: (key) => later(() => memory.delete(key)),
    };
    const throttle = new LoginThrottle({ store: asyncStore, maxFailuresPerAccount: 10 });
    await Promise.all(
      Array.from({ length: 10 }, () => throttle.recordFailure('alice', '10.0.0.1')),
    );
    expect(memory.get('account:alice')).toEqual<FailureRecord>({
      failures: 10,
      lockedUntil: Date.now() + minute,
    });
    expect(await throttle.check('alice', '10.0.0.2')).toMatchObject({ allowed: false });
  });

  it.each([
    { maxFailuresPerAccount: 0 },
    { maxFailuresPerAddress: 2.5 },
    { windowMs: -1 },
    { lockoutMs: Number.NaN },
    { maxLockoutMs: '15m' },
  ])('refuses %o at construction', (options) => {
    expect(() => new LoginThrottle(options as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION' }) as Error,
    );
  });
});
