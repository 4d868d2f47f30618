/// <reference types="node" />
/**
 * A redis-server of a test's own, for tests that stop and start Redis under running code: on a
 * port of its own, so killing it never touches the shared Redis on 6379 or another test's.
 * Any package's tests may use it; it needs only the redis-server program.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createConnection, createServer } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { requireService } from './require-service.js';

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

/**
 * Call at a test file's top level: whether the `tests` can start a private redis-server (skip
 * with one line outside CI, fail under CI).
 *
 * @example
 * const canRun = requirePrivateRedis('the Redis outage tests');
 * describe.skipIf(!canRun)('a Redis outage', () => { ... });
 */
export function requirePrivateRedis(tests: string): boolean {
  return requireService(
    tests,
    spawnSync('redis-server', ['--version']).status === 0,
    'the redis-server program is missing; apt-get install redis-server',
  );
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

/** A port nothing listens on now, as the system hands them out. */
async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/**
 * Starts one and waits until it answers. No persistence: a restart comes back empty, as a
 * crashed cache without a disk would.
 *
 * @example
 * const redis = await startPrivateRedis();
 * const layer = new RedisChannelLayer({ url: redis.url });
 * await redis.stop(); // an outage
 * await redis.start(); // back, empty
 */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let server: ChildProcess | null = null;
  const redis: PrivateRedis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      const child = server;
      server = null;
      if (child === null || child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
    async start() {
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly'];
      const child = spawn('redis-server', [...args, 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
      server = child;
      let output = '';
      const printed = (chunk: Buffer): void => {
        output += chunk.toString();
      };
      child.stdout.on('data', printed);
      child.stderr.on('data', printed);
      child.on('error', (error) => (output += `${error.message}\n`));
      for (let waited = 0; waited < 5000; waited += 50) {
        if (child.exitCode !== null || child.signalCode !== null) break;
        if (await pingRedis(port, 200)) {
          child.stdout.off('data', printed);
          child.stderr.off('data', printed);
          // Drained, so a chatty server never blocks on a full pipe.
          child.stdout.resume();
          child.stderr.resume();
          return;
        }
        await delay(50);
      }
      await redis.stop();
      throw new Error(`redis-server did not answer on port ${port} within 5 s:\n${output}`);
    },
  };
  await redis.start();
  return redis;
}
