/**
 * Echo throughput and round-trip latency, closed loop: each connection sends a small JSON
 * message, waits for it to come back, and sends the next, so the rate is what the server
 * sustains at that many connections rather than how deep a queue can grow. Over Socket.IO the
 * message is an `echo` event, which the server emits back.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Measurement } from '../measurement.js';
import { busyPercent, mergeFailures } from '../measurement.js';
import { percentile, SampleRecorder } from '../stats.js';
import { FailureTally } from './failure-tally.js';
import { ConnectFailure } from './lean-socket.js';
import { loadClient } from './load-client.js';
import type { LoadConnection, LoadMessage, Protocol } from './load-client.js';

export type EchoRequest =
  | {
      readonly type: 'echo-open';
      readonly protocol: Protocol;
      readonly url: string;
      readonly connections: number;
      readonly timeoutMs: number;
    }
  | { readonly type: 'echo-run'; readonly durationMs: number; readonly replyTimeoutMs: number }
  | { readonly type: 'echo-close'; readonly timeoutMs: number };

export interface EchoOpenResult {
  readonly opened: number;
  readonly failures: Record<string, number>;
}

export interface EchoRunResult {
  readonly replies: number;
  readonly elapsedMs: number;
  /** The load generator's own CPU time during the run. */
  readonly loadCpuMicros: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly failures: Record<string, number>;
}

/** The load child's echo connections, kept open between warm-up and measured run. */
let connections: LoadConnection[] = [];

async function openEcho(
  request: Extract<EchoRequest, { type: 'echo-open' }>,
): Promise<EchoOpenResult> {
  const failures = new FailureTally();
  const client = loadClient(request.protocol, request.url);
  const attempts = Array.from({ length: request.connections }, () =>
    client.open(request.timeoutMs).catch((error: unknown) => {
      if (!(error instanceof ConnectFailure)) throw error;
      failures.add(error.message);
      return undefined;
    }),
  );
  connections = (await Promise.all(attempts)).filter((connection) => connection !== undefined);
  if (connections.length === 0) {
    throw new Error(`bench: no echo connection opened: ${JSON.stringify(failures.toRecord())}`);
  }
  return { opened: connections.length, failures: failures.toRecord() };
}

/** Drives one connection until the deadline; reports through the shared tallies. */
function echoLoop(
  connection: LoadConnection,
  deadline: number,
  latencies: SampleRecorder,
  failures: FailureTally,
): { readonly done: Promise<void>; abandon(reason: string): void } {
  let seq = 0;
  let sent: LoadMessage = { type: 'echo' };
  let sentAt = 0;
  let finish: () => void = () => {};
  let ended = false;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  // Once only: the run's give-up timer abandons every loop, finished ones included, and a
  // loop that already ended (cleanly or not) has nothing more to count.
  const end = (reason?: string): void => {
    if (ended) return;
    ended = true;
    if (reason !== undefined) failures.add(reason);
    connection.onMessage = undefined;
    connection.onClose = undefined;
    finish();
  };
  const sendNext = (): void => {
    sent = { type: 'echo', seq, body: 'the quick brown fox' };
    sentAt = performance.now();
    connection.send(sent);
  };
  // Every server parses the message and serialises what it parsed: the same value comes back.
  connection.onMessage = (reply) => {
    const receivedAt = performance.now();
    if (!isDeepStrictEqual(reply, sent)) {
      end(`reply is not the message sent (${String(JSON.stringify(reply)).slice(0, 80)})`);
      return;
    }
    latencies.add(receivedAt - sentAt);
    seq++;
    if (receivedAt < deadline) sendNext();
    else end();
  };
  connection.onClose = (reason) => end(`${reason} mid-run`);
  sendNext();
  return { done, abandon: end };
}

async function runEcho(
  request: Extract<EchoRequest, { type: 'echo-run' }>,
): Promise<EchoRunResult> {
  const latencies = new SampleRecorder();
  const failures = new FailureTally();
  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  const loops = connections
    .filter((connection) => connection.isOpen)
    .map((connection) => echoLoop(connection, startedAt + request.durationMs, latencies, failures));
  // A reply that never comes must not hang the run: give up on it, and count it.
  const giveUp = setTimeout(() => {
    for (const loop of loops) loop.abandon(`no reply within ${request.replyTimeoutMs} ms`);
  }, request.durationMs + request.replyTimeoutMs);
  await Promise.all(loops.map((loop) => loop.done));
  clearTimeout(giveUp);
  const elapsedMs = performance.now() - startedAt;
  const cpu = process.cpuUsage(cpuBefore);
  const sorted = latencies.sorted();
  return {
    replies: latencies.count,
    elapsedMs,
    loadCpuMicros: cpu.user + cpu.system,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    failures: failures.toRecord(),
  };
}

async function closeEcho(request: Extract<EchoRequest, { type: 'echo-close' }>): Promise<null> {
  await Promise.all(connections.map((connection) => connection.close(request.timeoutMs)));
  connections = [];
  return null;
}

/** Load side: the echo requests the load child answers. */
export const echoHandlers = {
  'echo-open': openEcho,
  'echo-run': runEcho,
  'echo-close': closeEcho,
};

const settings = {
  connections: 50,
  warmupMs: 500,
  durationMs: 2_000,
  timeoutMs: 5_000,
};

/** Parent side: open, warm up, measure rate, latency and server CPU per message, close. */
export const echoMeasurement: Measurement = {
  name: 'echo',
  protocols: ['ws', 'socket.io'],
  rows: [
    {
      id: 'echo-rate',
      label: `echo messages/s (${settings.connections} connections, closed loop)`,
      unit: '/s',
      better: 'higher',
      decimals: 0,
    },
    { id: 'echo-p50', label: 'echo round trip p50', unit: 'ms', better: 'lower', decimals: 2 },
    { id: 'echo-p99', label: 'echo round trip p99', unit: 'ms', better: 'lower', decimals: 2 },
    { id: 'echo-cpu', label: 'server CPU per echo', unit: 'µs', better: 'lower', decimals: 1 },
  ],
  async run({ load, url, protocol, usage }) {
    const bound = (ms: number): number => ms + 3 * settings.timeoutMs;
    const open = await load.request<EchoOpenResult>(
      {
        type: 'echo-open',
        protocol,
        url,
        connections: settings.connections,
        timeoutMs: settings.timeoutMs,
      },
      bound(0),
    );
    const run = (durationMs: number): Promise<EchoRunResult> =>
      load.request<EchoRunResult>(
        { type: 'echo-run', durationMs, replyTimeoutMs: settings.timeoutMs },
        bound(durationMs),
      );
    const warmup = await run(settings.warmupMs);
    const before = await usage(false);
    const measured = await run(settings.durationMs);
    const after = await usage(false);
    await load.request({ type: 'echo-close', timeoutMs: settings.timeoutMs }, bound(0));
    if (measured.replies === 0) {
      throw new Error(`bench: no echo came back; failures: ${JSON.stringify(measured.failures)}`);
    }
    return {
      figures: {
        'echo-rate': measured.replies / (measured.elapsedMs / 1_000),
        'echo-p50': measured.p50Ms,
        'echo-p99': measured.p99Ms,
        'echo-cpu': (after.cpuMicros - before.cpuMicros) / measured.replies,
      },
      serverBusyPercent: busyPercent(after.cpuMicros - before.cpuMicros, measured.elapsedMs),
      loadBusyPercent: busyPercent(measured.loadCpuMicros, measured.elapsedMs),
      failures: mergeFailures(open.failures, warmup.failures, measured.failures),
    };
  },
};
