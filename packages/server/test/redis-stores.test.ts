import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { InMemoryLoginThrottleStore } from '../src/limits/in-memory-login-throttle-store.js';
import { LoginThrottle } from '../src/limits/login-throttle.js';
import { RedisLoginThrottleStore } from '../src/redis/redis-login-throttle-store.js';
import { RedisRevocationStore } from '../src/redis/redis-revocation-store.js';
import { InMemoryRevocationStore } from '../src/sessions/in-memory-revocation-store.js';
import { describeLoginThrottleStoreContract } from './login-throttle-store-contract.js';
import { deleteKeys, inspector, quiet, requireRedis, uniquePrefix } from './redis-fixtures.js';
import { describeRevocationStoreContract } from './revocation-store-contract.js';

describe('in-memory stores', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  const elapse = async (ms: number) => {
    vi.setSystemTime(Date.now() + ms);
    await Promise.resolve();
  };
  describeRevocationStoreContract(
    'InMemoryRevocationStore',
    () => new InMemoryRevocationStore(),
    elapse,
  );
  describeLoginThrottleStoreContract(
    'InMemoryLoginThrottleStore',
    () => new InMemoryLoginThrottleStore(),
    elapse,
  );
});

const hasRedis = await requireRedis('the Redis store tests');

describe.skipIf(!hasRedis)('Redis stores', () => {
  let redis: Awaited<ReturnType<typeof inspector>>;
  const stores: Array<RedisRevocationStore | RedisLoginThrottleStore> = [];
  const prefixes: string[] = [];

  /** Stores on one prefix, as the nodes of one deployment. */
  function deployment<S extends RedisRevocationStore | RedisLoginThrottleStore>(
    Store: new (options: { prefix: string; logger: typeof quiet }) => S,
  ): () => S {
    const prefix = uniquePrefix('store');
    prefixes.push(prefix);
    return () => {
      const store = new Store({ prefix, logger: quiet });
      stores.push(store);
      return store;
    };
  }

  beforeAll(async () => {
    redis = await inspector();
  });

  afterEach(async () => {
    for (const store of stores.splice(0)) store.close();
    for (const prefix of prefixes.splice(0)) await deleteKeys(redis, prefix);
  });

  afterAll(() => {
    redis.destroy();
  });

  const elapse = (ms: number) => delay(ms);
  describeRevocationStoreContract(
    'RedisRevocationStore',
    () => deployment(RedisRevocationStore)(),
    elapse,
  );
  describeLoginThrottleStoreContract(
    'RedisLoginThrottleStore',
    () => deployment(RedisLoginThrottleStore)(),
    elapse,
  );

  it('shares revocations between nodes, as keys that expire with the session', async () => {
    const node = deployment(RedisRevocationStore);
    const [a, b] = [node(), node()];
    await a.revoke('session-1', 600);
    expect(await b.isRevoked('session-1')).toBe(true);
    const key = (await redis.sendCommand<string[]>(['KEYS', `${prefixes[0]}:*`]))[0];
    expect(key).toBe(`${prefixes[0]}:revoked:session-1`);
    const ttl = await redis.sendCommand<number>(['PTTL', key!]);
    expect(ttl).toBeGreaterThan(590_000);
    expect(ttl).toBeLessThanOrEqual(600_000);
  });

  it('throttles logins across nodes', async () => {
    const node = deployment(RedisLoginThrottleStore);
    const throttles = [node(), node()].map(
      (store) => new LoginThrottle({ store, maxFailuresPerAccount: 3, maxFailuresPerAddress: 100 }),
    );
    for (const throttle of [...throttles, throttles[0]!]) {
      await throttle.recordFailure('alice', '192.0.2.1');
    }
    expect(await throttles[1]!.check('alice', '192.0.2.7')).toMatchObject({ allowed: false });
    expect(await throttles[1]!.check('bob', '192.0.2.7')).toMatchObject({ allowed: true });
  });

  it('rejects with STORE_UNAVAILABLE within commandTimeout while Redis is unreachable', async () => {
    const options = { url: 'redis://:secret@127.0.0.1:1', commandTimeout: 100, logger: quiet };
    const revocations = new RedisRevocationStore(options);
    const throttle = new RedisLoginThrottleStore(options);
    stores.push(revocations, throttle);
    const unavailable = {
      code: 'STORE_UNAVAILABLE',
      message: expect.stringMatching(/RedisRevocationStore: Redis at redis:\/\/:\*\*\*@127/),
    };
    await expect(revocations.isRevoked('s')).rejects.toMatchObject(unavailable);
    await expect(throttle.addFailure('k', 1000)).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
    });
    expect(revocations.health()).toMatchObject({ status: 'connecting' });
  });

  it('refuses a ttl that is not a number, and a bad prefix', async () => {
    const store = deployment(RedisRevocationStore)();
    await expect(store.revoke('s', Number.NaN)).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    expect(() => new RedisRevocationStore({ prefix: 'a b' })).toThrow(/prefix/);
    expect(() => new RedisLoginThrottleStore({ url: 'localhost:6379' })).toThrow(/url/);
  });
});
