/**
 * The behaviour every LoginThrottleStore must have, run against each implementation:
 *
 *   describeLoginThrottleStoreContract('InMemoryLoginThrottleStore', () => new InMemoryLoginThrottleStore(), elapse);
 *
 * `elapse(ms)` lets at least that much time pass for the store (see revocation-store-contract.ts).
 */
import { describe, expect, it } from 'vitest';
import type { LoginThrottleStore } from '../src/limits/login-throttle-store.js';

export function describeLoginThrottleStoreContract(
  name: string,
  makeStore: () => LoginThrottleStore,
  elapse: (ms: number) => Promise<void>,
): void {
  describe(`${name} (LoginThrottleStore contract)`, () => {
    it('counts failures per key', async () => {
      const store = makeStore();
      expect(await store.addFailure('k', 60_000)).toEqual({ failures: 1, lockedUntil: 0 });
      expect(await store.addFailure('k', 60_000)).toEqual({ failures: 2, lockedUntil: 0 });
      expect(await store.get('k')).toEqual({ failures: 2, lockedUntil: 0 });
      expect(await store.get('other')).toBeNull();
    });

    it('counts parallel failures atomically', async () => {
      const store = makeStore();
      const records = await Promise.all(
        Array.from({ length: 25 }, async () => store.addFailure('k', 60_000)),
      );
      expect(records.map((record) => record.failures).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 25 }, (_, index) => index + 1),
      );
    });

    it('forgets failures ttlMs after the last one, and never sooner', async () => {
      const store = makeStore();
      await store.addFailure('forgotten', 50);
      await store.addFailure('kept', 60_000);
      await store.addFailure('kept', 50);
      await elapse(100);
      expect(await store.get('forgotten')).toBeNull();
      expect(await store.get('kept')).toEqual({ failures: 2, lockedUntil: 0 });
    });

    it('never shortens a lock, and reports it with later failures', async () => {
      const store = makeStore();
      const now = Date.now();
      await store.addFailure('k', 60_000);
      await store.lock('k', now + 5_000, 1_000);
      await store.lock('k', now + 2_000, 1_000);
      expect(await store.get('k')).toEqual({ failures: 1, lockedUntil: now + 5_000 });
      expect(await store.addFailure('k', 1_000)).toEqual({ failures: 2, lockedUntil: now + 5_000 });
    });

    it('locks a key it has no record of', async () => {
      const store = makeStore();
      const until = Date.now() + 5_000;
      await store.lock('k', until, 1_000);
      expect(await store.get('k')).toEqual({ failures: 0, lockedUntil: until });
    });

    it('keeps a locked key until ttlMs past the lock', async () => {
      const store = makeStore();
      const now = Date.now();
      await store.lock('short', now + 20, 30);
      await store.lock('long', now + 20, 60_000);
      await elapse(100);
      expect(await store.get('short')).toBeNull();
      expect(await store.get('long')).toEqual({ failures: 0, lockedUntil: now + 20 });
    });

    it('deletes a key', async () => {
      const store = makeStore();
      await store.addFailure('k', 60_000);
      await store.delete('k');
      expect(await store.get('k')).toBeNull();
    });
  });
}
