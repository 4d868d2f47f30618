/**
 * Memory per idle connection: the server's heap and RSS growth, after garbage collection,
 * from a fresh start to holding many open connections that send nothing, divided by them.
 */
import type { Measurement } from '../measurement.js';
import { mergeFailures } from '../measurement.js';
import { FailureTally } from './failure-tally.js';
import { ConnectFailure, LeanSocket, leanTarget } from './lean-socket.js';
import { runConcurrently } from './run-concurrently.js';

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
  const failures = new FailureTally();
  const target = leanTarget(request.url);
  let started = 0;
  await runConcurrently(
    request.concurrency,
    () => started < request.count,
    async () => {
      started++;
      try {
        idle.push(await LeanSocket.open(target, request.timeoutMs));
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
  // Closed by the server while idle (an idle time-out, say) is worth knowing about.
  const stillOpen = idle.filter((socket) => socket.isOpen);
  for (let index = stillOpen.length; index < idle.length; index++)
    failures.add('closed while idle');
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

const settings = { count: 2_000, concurrency: 50, timeoutMs: 5_000 };
/** Opening or closing all of them takes a second or two; past this the run fails. */
const budgetMs = 30_000;

const kib = 1_024;

/** Parent side: must run first on a fresh server, so the baseline holds no connections. */
export const idleMemoryMeasurement: Measurement = {
  name: 'idle-memory',
  firstRoundOnly: true,
  rows: [
    {
      id: 'idle-heap',
      label: `heap + external per idle connection (${settings.count} open)`,
      unit: 'KiB',
      better: 'lower',
      decimals: 2,
    },
    {
      id: 'idle-rss',
      label: 'RSS per idle connection',
      unit: 'KiB',
      better: 'lower',
      decimals: 2,
    },
  ],
  async run({ load, url, usage }) {
    const before = await usage(true);
    const open = await load.request<IdleOpenResult>(
      { type: 'idle-open', url, ...settings } satisfies IdleRequest,
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
