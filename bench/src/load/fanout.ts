/**
 * Fan-out: 1,000 clients in one group, and one of them sends a message that the server
 * delivers to all 1,000 (itself included). Timed from the send until the last client received
 * it, one fan-out at a time; a member that did not receive it within the time-out is a failure
 * per missing delivery, and ends the run (later messages would only be late ones).
 */
import type { Measurement } from '../measurement.js';
import { busyPercent, mergeFailures } from '../measurement.js';
import { percentile, SampleRecorder } from '../stats.js';
import { FailureTally } from './failure-tally.js';
import { ConnectFailure, LeanSocket, leanTarget } from './lean-socket.js';
import { runConcurrently } from './run-concurrently.js';

export type FanoutRequest =
  | {
      readonly type: 'fanout-open';
      /** `ws://127.0.0.1:<port>/fanout/` */
      readonly url: string;
      readonly members: number;
      readonly concurrency: number;
      readonly timeoutMs: number;
    }
  | { readonly type: 'fanout-run'; readonly sends: number; readonly timeoutMs: number }
  | { readonly type: 'fanout-close'; readonly timeoutMs: number };

export interface FanoutOpenResult {
  readonly opened: number;
  readonly failures: Record<string, number>;
}

export interface FanoutRunResult {
  /** Fan-outs that reached every member. */
  readonly completed: number;
  readonly deliveries: number;
  /** Send to last delivery, summed over the completed fan-outs. */
  readonly fanoutMs: number;
  readonly p50Ms: number;
  readonly elapsedMs: number;
  /** The load generator's own CPU time during the run. */
  readonly loadCpuMicros: number;
  readonly failures: Record<string, number>;
}

/** The group's members, kept open between warm-up and measured run. */
let members: LeanSocket[] = [];
/** Numbers the fan-outs across runs, so a late delivery of an earlier one is told apart. */
let nextSeq = 0;

async function openMembers(
  request: Extract<FanoutRequest, { type: 'fanout-open' }>,
): Promise<FanoutOpenResult> {
  const failures = new FailureTally();
  const target = leanTarget(request.url);
  let started = 0;
  await runConcurrently(
    request.concurrency,
    () => started < request.members,
    async () => {
      started++;
      try {
        // The server joins the group before it accepts, so an open member is in the group.
        members.push(await LeanSocket.open(target, request.timeoutMs));
      } catch (error) {
        if (!(error instanceof ConnectFailure)) throw error;
        failures.add(error.message);
      }
    },
  );
  return { opened: members.length, failures: failures.toRecord() };
}

/**
 * One fan-out: resolves with the time from the send to the last delivery, or with undefined
 * once `timeoutMs` passed, after counting each missing delivery.
 */
function fanOut(
  open: readonly LeanSocket[],
  timeoutMs: number,
  failures: FailureTally,
): Promise<number | undefined> {
  const message = Buffer.from(JSON.stringify({ type: 'fanout', seq: nextSeq++ }));
  return new Promise((resolve) => {
    const received = new Set<LeanSocket>();
    const finish = (result: number | undefined): void => {
      clearTimeout(timer);
      for (const socket of open) socket.onText = undefined;
      resolve(result);
    };
    const timer = setTimeout(() => {
      failures.add(`not delivered within ${timeoutMs} ms`, open.length - received.size);
      finish(undefined);
    }, timeoutMs);
    for (const socket of open) {
      // Both servers serialise what they parsed, which for this JSON is the same bytes back.
      socket.onText = (payload) => {
        if (!payload.equals(message)) {
          failures.add(`not the message sent, or a late one (${payload.toString().slice(0, 80)})`);
        } else if (received.has(socket)) {
          failures.add('delivered twice');
        } else {
          received.add(socket);
          if (received.size === open.length) finish(performance.now() - sentAt);
        }
      };
    }
    const sentAt = performance.now();
    open[0]!.sendText(message);
  });
}

async function runFanout(
  request: Extract<FanoutRequest, { type: 'fanout-run' }>,
): Promise<FanoutRunResult> {
  const failures = new FailureTally();
  const durations = new SampleRecorder();
  const open = members.filter((socket) => socket.isOpen);
  if (open.length < members.length) {
    failures.add('member closed before the run', members.length - open.length);
  }
  if (open.length === 0) throw new Error('bench: fanout-run found no open member.');
  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  for (let sent = 0; sent < request.sends; sent++) {
    const duration = await fanOut(open, request.timeoutMs, failures);
    if (duration === undefined) break;
    durations.add(duration);
  }
  const cpu = process.cpuUsage(cpuBefore);
  const sorted = durations.sorted();
  return {
    completed: durations.count,
    deliveries: durations.count * open.length,
    fanoutMs: sorted.reduce((sum, duration) => sum + duration, 0),
    p50Ms: percentile(sorted, 50),
    elapsedMs: performance.now() - startedAt,
    loadCpuMicros: cpu.user + cpu.system,
    failures: failures.toRecord(),
  };
}

async function closeMembers(
  request: Extract<FanoutRequest, { type: 'fanout-close' }>,
): Promise<FanoutOpenResult> {
  const failures = new FailureTally();
  let next = 0;
  await runConcurrently(
    100,
    () => next < members.length,
    async () => {
      const socket = members[next++]!;
      if (!(await socket.close(request.timeoutMs))) failures.add('close not clean');
    },
  );
  const closed = members.length;
  members = [];
  return { opened: closed, failures: failures.toRecord() };
}

/** Load side: the fan-out requests the load child answers. */
export const fanoutHandlers = {
  'fanout-open': openMembers,
  'fanout-run': runFanout,
  'fanout-close': closeMembers,
};

const settings = {
  members: 1_000,
  concurrency: 50,
  warmup: 5,
  sends: 20,
  timeoutMs: 5_000,
};

/** Parent side: open the group, warm up, time the fan-outs and the server's CPU, close. */
export const fanoutMeasurement: Measurement = {
  name: 'fanout',
  // A window opens 1,000 members, fans out 25 times and closes them: 2 to 5 s.
  defaultRounds: 3,
  budget: { windowSeconds: 20 },
  rows: [
    {
      id: 'fanout-p50',
      label: `one message to a ${settings.members.toLocaleString('en-US')}-member group: send to last delivery, p50`,
      unit: 'ms',
      better: 'lower',
      decimals: 1,
    },
    {
      id: 'fanout-rate',
      label: 'deliveries/s while fanning out',
      unit: '/s',
      better: 'higher',
      decimals: 0,
    },
    {
      id: 'fanout-cpu',
      label: 'server CPU per delivery (Redis, a process of its own, not counted)',
      unit: 'µs',
      better: 'lower',
      decimals: 1,
    },
  ],
  async run({ load, server, usage }) {
    const url = `ws://127.0.0.1:${server.ready.port}/fanout/`;
    const bound = (sends: number): number => 10_000 + sends * settings.timeoutMs;
    const open = await load.request<FanoutOpenResult>(
      {
        type: 'fanout-open',
        url,
        members: settings.members,
        concurrency: settings.concurrency,
        timeoutMs: settings.timeoutMs,
      } satisfies FanoutRequest,
      bound(settings.members / settings.concurrency),
    );
    const run = (sends: number): Promise<FanoutRunResult> =>
      load.request<FanoutRunResult>(
        { type: 'fanout-run', sends, timeoutMs: settings.timeoutMs } satisfies FanoutRequest,
        bound(sends),
      );
    const warmup = await run(settings.warmup);
    const before = await usage(false);
    const measured = await run(settings.sends);
    const after = await usage(false);
    const closed = await load.request<FanoutOpenResult>(
      { type: 'fanout-close', timeoutMs: settings.timeoutMs } satisfies FanoutRequest,
      bound(settings.members / 100),
    );
    if (measured.completed === 0) {
      throw new Error(
        `bench: no fan-out reached every member; failures: ${JSON.stringify(measured.failures)}`,
      );
    }
    const serverCpu = after.cpuMicros - before.cpuMicros;
    return {
      figures: {
        'fanout-p50': measured.p50Ms,
        'fanout-rate': measured.deliveries / (measured.fanoutMs / 1_000),
        'fanout-cpu': serverCpu / measured.deliveries,
      },
      serverBusyPercent: busyPercent(serverCpu, measured.elapsedMs),
      loadBusyPercent: busyPercent(measured.loadCpuMicros, measured.elapsedMs),
      failures: mergeFailures(open.failures, warmup.failures, measured.failures, closed.failures),
    };
  },
};
