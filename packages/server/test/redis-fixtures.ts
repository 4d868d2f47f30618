/**
 * What the Redis tests share: whether Redis answers (skip with one line outside CI, fail under
 * CI), a key prefix per test so parallel runs never meet, deleting a prefix's keys, and a
 * private redis-server that a test may kill and restart (never the shared one on 6379).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createConnection } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { createClient } from '@redis/client';
import type { Logger } from '../src/logger.js';
import type { RedisClient } from '../src/redis/node-redis.js';
import { requireService } from '../../../test-support/require-service.js';

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

/** Whether a Redis answers PING on 127.0.0.1:`port` within `timeoutMs`. */
export async function pingRedis(port: number, timeoutMs = 1000): Promise<boolean> {
  const socket = createConnection({ host: '127.0.0.1', port });
  socket.setTimeout(timeoutMs, () => socket.destroy());
  try {
    await once(socket, 'connect');
    socket.write('PING\r\n');
    const [data] = (await once(socket, 'data')) as [Buffer];
    return data.toString().startsWith('+PONG');
  } catch {
    return false;
  } finally {
    socket.destroy();
  }
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

/** A redis-server of the test's own, on a free port, that it may stop and start again. */
export interface PrivateRedis {
  readonly port: number;
  readonly url: string;
  /** Kills the server (SIGKILL, as a crash) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty, and waits until it answers. */
  start(): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  let port = 0;
  for (let attempt = 0; attempt < 20 && port === 0; attempt++) {
    const candidate = 6390 + Math.floor(Math.random() * 2000);
    if (!(await pingRedis(candidate, 200))) port = candidate;
  }
  let server: ChildProcess | null = null;
  const redis: PrivateRedis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      if (server === null) return;
      const exited = once(server, 'exit');
      server.kill('SIGKILL');
      await exited;
      server = null;
    },
    async start() {
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly'];
      server = spawn('redis-server', [...args, 'no'], { stdio: 'ignore' });
      server.on('error', () => undefined);
      for (let waited = 0; waited < 5000; waited += 50) {
        if (await pingRedis(port, 200)) return;
        await delay(50);
      }
      throw new Error(`redis-server did not answer on port ${port} within 5 s`);
    },
  };
  await redis.start();
  return redis;
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
