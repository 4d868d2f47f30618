/**
 * Memory per idle authenticated connection: the server's heap and RSS growth, after garbage
 * collection, from a fresh start to holding many open connections that send nothing, divided
 * by them. Every connection carries a real session cookie of its own and the allowed Origin,
 * to every server: the auth stack unseals and keeps each user (its unseal cache included), the
 * others ignore the headers.
 */
import { authFixture } from '../auth-fixture.js';
import type { Measurement } from '../measurement.js';
import { mergeFailures } from '../measurement.js';
import { FailureTally } from './failure-tally.js';
import { ConnectFailure, LeanSocket, leanTarget } from './lean-socket.js';
import { runConcurrently } from './run-concurrently.js';
import { cookiePool, logInUsers } from './session-cookies.js';

export type IdleRequest =
  | {
      readonly type: 'idle-open';
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
let idle: LeanSocket[] = [];

async function openIdle(
  request: Extract<IdleRequest, { type: 'idle-open' }>,
): Promise<IdleOpenResult> {
  const pool = cookiePool();
  const failures = new FailureTally();
  const target = leanTarget(request.url, { Origin: authFixture.origin });
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
        idle.push(await LeanSocket.open(target, request.timeoutMs, head));
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
  const failures = new FailureTally();
  // Closed by the server while idle (an idle time-out, or 4401: not authenticated) is a failure.
  for (const socket of idle) {
    if (!socket.isOpen) failures.add(`closed while idle (${socket.closeCode ?? 'no code'})`);
  }
  const stillOpen = idle.filter((socket) => socket.isOpen);
  let next = 0;
  await runConcurrently(
    100,
    () => next < stillOpen.length,
    async () => {
      const socket = stillOpen[next++]!;
      if (!(await socket.close(request.timeoutMs))) failures.add('close not clean');
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
 * Opening them takes 2 to 10 s (the auth stack unseals every cookie), closing them less; a
 * generous 3 ms each, and the run fails past it.
 */
const budgetMs = 10_000 + settings.count * 3;

const kib = 1_024;

/**
 * Parent side: must run first on fresh servers, so the baseline holds no connections. The
 * logins go to the auth server before its window; they leave nothing per user behind (a
 * session is its cookie), so its baseline, taken after them, holds no session either.
 */
export const idleMemoryMeasurement: Measurement = {
  name: 'idle-memory',
  firstRoundOnly: true,
  // 10,000 logins take 5 to 10 s, a window of 10,000 handshakes, idle, then closes about as long.
  budget: { prepareSeconds: 30, windowSeconds: 30 },
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
    const server = servers.find((candidate) => candidate.authenticates);
    if (server === undefined) throw new Error('bench: idle-memory needs a server that logs in.');
    // Every server gets the same cookies, each once: one login per connection serves them all.
    return logInUsers(load, server, { count: settings.count, warmSize: 0, ...settings.login });
  },

  async run({ load, url, usage }) {
    const before = await usage(true);
    const open = await load.request<IdleOpenResult>(
      {
        type: 'idle-open',
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
