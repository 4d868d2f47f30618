/**
 * The behaviour every RevocationStore must have, run against each implementation:
 *
 *   describeRevocationStoreContract('InMemoryRevocationStore', () => new InMemoryRevocationStore(), elapse);
 *
 * `elapse(ms)` lets at least that much time pass for the store: fake time for one in memory,
 * real time for Redis (whose clock no test can move). Time-outs are short and margins wide,
 * so real time only ever waits past an expiry, never races one.
 */
import { describe, expect, it } from 'vitest';
import type { RevocationStore } from '../src/sessions/revocation-store.js';

export function describeRevocationStoreContract(
  name: string,
  makeStore: () => RevocationStore,
  elapse: (ms: number) => Promise<void>,
): void {
  describe(`${name} (RevocationStore contract)`, () => {
    it('remembers a revoked id, and only that one', async () => {
      const store = makeStore();
      await store.revoke('session-1', 60);
      expect(await store.isRevoked('session-1')).toBe(true);
      expect(await store.isRevoked('session-2')).toBe(false);
    });

    it('forgets a revocation once its ttl has passed', async () => {
      const store = makeStore();
      await store.revoke('session-1', 0.05);
      await elapse(100);
      expect(await store.isRevoked('session-1')).toBe(false);
    });

    it('keeps the later expiry when an id is revoked twice, in either order', async () => {
      const store = makeStore();
      await store.revoke('longer-first', 60);
      await store.revoke('longer-first', 0.05);
      await store.revoke('shorter-first', 0.05);
      await store.revoke('shorter-first', 60);
      await elapse(100);
      expect(await store.isRevoked('longer-first')).toBe(true);
      expect(await store.isRevoked('shorter-first')).toBe(true);
    });

    it('lets exactly one of several simultaneous revokeIfNew calls claim an id', async () => {
      const store = makeStore();
      const claims = await Promise.all(
        [1, 2, 3].map(async () => store.revokeIfNew?.('ticket-1', 60)),
      );
      expect(claims.filter((claimed) => claimed === true)).toHaveLength(1);
      expect(await store.isRevoked('ticket-1')).toBe(true);
      expect(await store.revokeIfNew?.('ticket-1', 60)).toBe(false);
    });

    it('lets revokeIfNew claim an id again once its ttl has passed', async () => {
      const store = makeStore();
      expect(await store.revokeIfNew?.('ticket-1', 0.05)).toBe(true);
      await elapse(100);
      expect(await store.revokeIfNew?.('ticket-1', 60)).toBe(true);
    });

    it('remembers nothing for a ttl of 0: no seal can open any more', async () => {
      const store = makeStore();
      await store.revoke('session-1', 0);
      expect(await store.isRevoked('session-1')).toBe(false);
    });
  });
}
