/**
 * Memory per idle authenticated connection: the server's heap and RSS growth, after garbage
 * collection, from a fresh start to holding many open connections that send nothing, divided
 * by them. Every connection carries a real session cookie of its own and the allowed Origin,
 * to every server: the auth stacks unseal and keep each user (wsgate's unseal cache included),
 * the others ignore the headers. Over Socket.IO a connection counts once `connect` fired (the
 * namespace connected, its middleware passed); it then answers the server's pings, as any
 * Socket.IO client does, and sends nothing else.
 *
 * Only the server is measured, in its own process: socket.io-client costs the load generator
 * several times the lean client's memory per connection, which shows in no figure.
 */
import { authFixture } from '../auth-fixture.js';
import type { Measurement } from '../measurement.js';
import { mergeFailures } from '../measurement.js';
import { FailureTally } from './failure-tally.js';
import { ConnectFailure } from './lean-socket.js';
import { loadClient } from './load-client.js';
import type { LoadConnection, Protocol } from './load-client.js';
import { runConcurrently } from './run-concurrently.js';
import { cookiePool, logInUsers } from './session-cookies.js';

export type IdleRequest =
  | {
      readonly type: 'idle-open';
      readonly protocol: Protocol;
      readonly url: string;
      readonly count: number;
      readonly concurrency: number;
      readonly timeoutMs: number;
    }
  | { readonly type: 'idle-close'; readonly timeoutMs: number };

export interface IdleOpenResult {
  readonly opened: number;
  readonly failures: Record<string, number>;
}

export interface IdleCloseResult {
  readonly failures: Record<string, number>;
}

/** The idle connections the load child holds open while the server is measured. */
let idle: LoadConnection[] = [];
/**
 * Why connections ended while idle (an idle time-out, 4401: not authenticated, a missed
 * ping), each a failure; counted as they end, since the load sends nothing that would notice.
 */
let endedWhileIdle = new FailureTally();

async function openIdle(
  request: Extract<IdleRequest, { type: 'idle-open' }>,
): Promise<IdleOpenResult> {
  const pool = cookiePool();
  const failures = new FailureTally();
  const client = loadClient(request.protocol, request.url, { Origin: authFixture.origin });
  let started = 0;
  await runConcurrently(
    request.concurrency,
    () => started < request.count,
    async () => {
      started++;
      // Never sent to this server before: each handshake unseals, as users arriving would.
      const head = pool.nextCold(request.url);
      if (head === undefined) {
        throw new Error('bench: idle-memory ran out of session cookies; prepare sized it wrong.');
      }
      try {
        const connection = await client.open(request.timeoutMs, head);
        connection.onClose = (reason) => endedWhileIdle.add(`${reason} while idle`);
        idle.push(connection);
      } catch (error) {
        if (!(error instanceof ConnectFailure)) throw error;
        failures.add(error.message);
      }
    },
  );
  return { opened: idle.length, failures: failures.toRecord() };
}

async function closeIdle(
  request: Extract<IdleRequest, { type: 'idle-close' }>,
): Promise<IdleCloseResult> {
  const failures = endedWhileIdle;
  endedWhileIdle = new FailureTally();
  let next = 0;
  await runConcurrently(
    100,
    () => next < idle.length,
    async () => {
      const connection = idle[next++]!;
      if (!connection.isOpen) {
        // The server began to close it: waiting for the end lets onClose count it, once.
        await connection.close(request.timeoutMs);
        return;
      }
      connection.onClose = undefined;
      const unclean = await connection.close(request.timeoutMs);
      if (unclean !== undefined) failures.add(unclean);
    },
  );
  idle = [];
  return { failures: failures.toRecord() };
}

/** Load side: the idle requests the load child answers. */
export const idleHandlers = { 'idle-open': openIdle, 'idle-close': closeIdle };

const settings = {
  count: 10_000,
  concurrency: 50,
  timeoutMs: 5_000,
  login: { concurrency: 20, timeoutMs: 5_000 },
};
/**
 * Opening them takes 2 to 20 s over WebSocket (the auth stack unseals every cookie), and 30 to
 * 60 s through socket.io-client on a busy two-core machine (its CPU per connection, and
 * Socket.IO's); closing them takes less. A generous 10 ms each, and the run fails past it.
 */
const budgetMs = 10_000 + settings.count * 10;

const kib = 1_024;

/**
 * Parent side: must run first on fresh servers, so the baseline holds no connections. The
 * logins go to the auth server before its window; they leave nothing per user behind (a
 * session is its cookie), so its baseline, taken after them, holds no session either.
 */
export const idleMemoryMeasurement: Measurement = {
  name: 'idle-memory',
  protocols: ['ws', 'socket.io'],
  firstRoundOnly: true,
  // 10,000 logins take 5 to 20 s; a window 10,000 handshakes (Socket.IO's the slowest, up to
  // a minute), then closes, which take less.
  budget: { prepareSeconds: 40, windowSeconds: 120 },
  rows: [
    {
      id: 'idle-heap',
      label: `heap + external per idle authenticated connection (${settings.count.toLocaleString('en-US')} open)`,
      unit: 'KiB',
      better: 'lower',
      decimals: 2,
    },
    {
      id: 'idle-rss',
      label: 'RSS per idle authenticated connection',
      unit: 'KiB',
      better: 'lower',
      decimals: 2,
    },
  ],

  async prepare({ load, servers }) {
    // wsgate's auth server has the login view; Socket.IO's only reads the cookies it sets.
    const server = servers.find(
      (candidate) => candidate.authenticates && candidate.protocol === 'ws',
    );
    if (server === undefined) throw new Error('bench: idle-memory needs a server that logs in.');
    // Every server gets the same cookies, each once: one login per connection serves them all.
    return logInUsers(load, server, { count: settings.count, warmSize: 0, ...settings.login });
  },

  async run({ load, url, protocol, usage }) {
    const before = await usage(true);
    const open = await load.request<IdleOpenResult>(
      {
        type: 'idle-open',
        protocol,
        url,
        count: settings.count,
        concurrency: settings.concurrency,
        timeoutMs: settings.timeoutMs,
      } satisfies IdleRequest,
      budgetMs,
    );
    const after = await usage(true);
    const closed = await load.request<IdleCloseResult>(
      { type: 'idle-close', timeoutMs: settings.timeoutMs },
      budgetMs,
    );
    if (open.opened === 0) {
      throw new Error(`bench: no idle connection opened: ${JSON.stringify(open.failures)}`);
    }
    const heap = (memory: typeof before): number => memory.heapUsedBytes + memory.externalBytes;
    return {
      figures: {
        'idle-heap': (heap(after) - heap(before)) / open.opened / kib,
        'idle-rss': (after.rssBytes - before.rssBytes) / open.opened / kib,
      },
      failures: mergeFailures(open.failures, closed.failures),
    };
  },
};
