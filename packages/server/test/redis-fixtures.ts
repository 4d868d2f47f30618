/**
 * What the Redis tests share: whether Redis answers (skip with one line outside CI, fail under
 * CI), a key prefix per test so parallel runs never meet, deleting a prefix's keys, a logger
 * that can wait for a line, and (from test-support) a private redis-server that a test may
 * kill and restart (never the shared one on 6379).
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { createClient } from '@redis/client';
import type { Logger } from '../src/logger.js';
import type { RedisClient } from '../src/redis/node-redis.js';
import { pingRedis } from '../../../test-support/private-redis.js';
import { requireService } from '../../../test-support/require-service.js';

// The private redis-server lives with the other process fixtures, for the demo's tests too.
export {
  pingRedis,
  requirePrivateRedis,
  startPrivateRedis,
} from '../../../test-support/private-redis.js';
export type { PrivateRedis } from '../../../test-support/private-redis.js';

export const redisUrl = 'redis://127.0.0.1:6379';

export const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** Call at a test file's top level: whether the `tests` can use Redis at 127.0.0.1:6379. */
export async function requireRedis(tests: string): Promise<boolean> {
  return requireService(
    tests,
    await pingRedis(6379),
    `no Redis answers at ${redisUrl}; start one with: ` +
      'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no',
  );
}

/** A key prefix no other test (or test run) uses. */
export function uniquePrefix(label: string): string {
  return `wsgate-test:${label}:${randomBytes(6).toString('hex')}`;
}

/** A plain client for looking at Redis from outside the code under test. */
export async function inspector(url = redisUrl): Promise<RedisClient> {
  const client = createClient({ url });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** Deletes every key under `prefix` (the layers' flush covers only their own kinds). */
export async function deleteKeys(client: RedisClient, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.sendCommand<[string, string[]]>([
      'SCAN',
      cursor,
      'MATCH',
      `${prefix}:*`,
      'COUNT',
      '1000',
    ]);
    if (keys.length > 0) await client.sendCommand(['UNLINK', ...keys]);
    cursor = next;
  } while (cursor !== '0');
}

/** A logger that records lines and can wait for one matching `pattern`. */
export function recordingLogger(): Logger & {
  readonly lines: Array<{ level: string; message: string }>;
  waitFor(level: string, pattern: RegExp, timeoutMs?: number): Promise<void>;
} {
  const lines: Array<{ level: string; message: string }> = [];
  const waiters: Array<() => void> = [];
  const at =
    (level: string) =>
    (message: string): void => {
      lines.push({ level, message });
      for (const wake of waiters.splice(0)) wake();
    };
  return {
    lines,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    async waitFor(level, pattern, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!lines.some((line) => line.level === level && pattern.test(line.message))) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no ${level} line matching ${String(pattern)} logged`);
        const timer = new AbortController();
        await Promise.race([
          new Promise<void>((wake) => waiters.push(wake)),
          delay(left, undefined, { signal: timer.signal }).catch(() => undefined),
        ]);
        timer.abort();
      }
    },
  };
}
