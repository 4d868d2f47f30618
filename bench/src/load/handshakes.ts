/**
 * Handshakes per second: many clients at once, each connecting, waiting for open and
 * closing cleanly, so the figure covers the whole life of a short connection. Open is the
 * WebSocket's open, or for Socket.IO the namespace's `connect` (its handshake packets and
 * middleware done).
 */
import type { MeasureContext, Measurement } from '../measurement.js';
import { busyPercent, mergeFailures } from '../measurement.js';
import { FailureTally } from './failure-tally.js';
import { ConnectFailure } from './lean-socket.js';
import { loadClient } from './load-client.js';
import type { LoadClient, Protocol } from './load-client.js';
import { runConcurrently } from './run-concurrently.js';

/** How long and how hard a handshake loop runs. */
export interface HandshakeLoop {
  readonly concurrency: number;
  /** Stop starting new handshakes after this many, or after `durationMs`, whichever first. */
  readonly maxCount: number;
  readonly durationMs: number;
  /** Per connection, for open and for close each. */
  readonly timeoutMs: number;
}

export interface HandshakeRequest extends HandshakeLoop {
  readonly type: 'handshakes';
  readonly protocol: Protocol;
  readonly url: string;
}

export interface HandshakeResult {
  readonly completed: number;
  readonly elapsedMs: number;
  /** The load generator's own CPU time during the run. */
  readonly loadCpuMicros: number;
  readonly failures: Record<string, number>;
}

/**
 * Runs handshakes and counts every one that did not open and close cleanly. `headFor` gives
 * each handshake's own header lines (a Cookie, say), or undefined to stop: the loop then also
 * ends when it runs out of them.
 */
export async function runHandshakeLoop(
  loop: HandshakeLoop,
  client: LoadClient,
  headFor: () => string | undefined = () => '',
): Promise<HandshakeResult> {
  const failures = new FailureTally();
  let started = 0;
  let completed = 0;
  let head: string | undefined = '';
  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  const deadline = startedAt + loop.durationMs;
  const more = (): boolean => {
    if (started >= loop.maxCount || performance.now() >= deadline) return false;
    head = headFor();
    return head !== undefined;
  };
  await runConcurrently(
    loop.concurrency,
    more,
    // runConcurrently starts a task right after `more()` said yes, so `head` is this task's.
    async () => {
      started++;
      try {
        const connection = await client.open(loop.timeoutMs, head);
        const unclean = await connection.close(loop.timeoutMs);
        if (unclean === undefined) completed++;
        else failures.add(unclean);
      } catch (error) {
        if (!(error instanceof ConnectFailure)) throw error;
        failures.add(error.message);
      }
    },
  );
  const cpu = process.cpuUsage(cpuBefore);
  return {
    completed,
    elapsedMs: performance.now() - startedAt,
    loadCpuMicros: cpu.user + cpu.system,
    failures: failures.toRecord(),
  };
}

function runHandshakes(request: HandshakeRequest): Promise<HandshakeResult> {
  return runHandshakeLoop(request, loadClient(request.protocol, request.url));
}

/** Load side: the handshake request the load child answers. */
export const handshakeHandlers = { handshakes: runHandshakes };

/** How the handshake rows are run; small enough to finish in seconds on two cores. */
const settings = {
  concurrency: 50,
  warmup: { maxCount: 200, durationMs: 500 },
  measured: { maxCount: 20_000, durationMs: 2_000 },
  timeoutMs: 5_000,
};

/** One phase of a window: a warm-up or the measured run. */
export type HandshakePhase = Pick<HandshakeLoop, 'maxCount' | 'durationMs'>;

/** What a window of handshakes measured: its rate and the server's CPU per handshake. */
export interface HandshakeWindow {
  readonly rate: number;
  readonly cpuMicros: number;
  readonly serverBusyPercent: number;
  readonly loadBusyPercent: number;
  readonly failures: Record<string, number>;
}

/**
 * Warms up, then runs the measured phase between two readings of the server's CPU time.
 * `run` asks the load child for one phase; the caller decides what each handshake sends.
 */
export async function measureHandshakeWindow(
  run: (phase: HandshakePhase) => Promise<HandshakeResult>,
  phases: { readonly warmup: HandshakePhase; readonly measured: HandshakePhase },
  usage: MeasureContext['usage'],
): Promise<HandshakeWindow> {
  const warmup = await run(phases.warmup);
  const before = await usage(false);
  const measured = await run(phases.measured);
  const after = await usage(false);
  if (measured.completed === 0) {
    throw new Error(
      `bench: no handshake completed; failures: ${JSON.stringify(measured.failures)}`,
    );
  }
  const serverCpu = after.cpuMicros - before.cpuMicros;
  return {
    rate: measured.completed / (measured.elapsedMs / 1_000),
    cpuMicros: serverCpu / measured.completed,
    serverBusyPercent: busyPercent(serverCpu, measured.elapsedMs),
    loadBusyPercent: busyPercent(measured.loadCpuMicros, measured.elapsedMs),
    failures: mergeFailures(warmup.failures, measured.failures),
  };
}

/** Parent side: warm up, then measure rate and server CPU per handshake. */
export const handshakeMeasurement: Measurement = {
  name: 'handshakes',
  protocols: ['ws', 'socket.io'],
  rows: [
    {
      id: 'handshake-rate',
      label: `handshakes/s (${settings.concurrency} in flight, open + close)`,
      unit: '/s',
      better: 'higher',
      decimals: 0,
    },
    {
      id: 'handshake-cpu',
      label: 'server CPU per handshake',
      unit: 'µs',
      better: 'lower',
      decimals: 0,
    },
  ],
  async run({ load, url, protocol, usage }) {
    const run = (phase: HandshakePhase): Promise<HandshakeResult> =>
      load.request<HandshakeResult>(
        {
          type: 'handshakes',
          protocol,
          url,
          concurrency: settings.concurrency,
          timeoutMs: settings.timeoutMs,
          ...phase,
        } satisfies HandshakeRequest,
        phase.durationMs + 4 * settings.timeoutMs,
      );
    const window = await measureHandshakeWindow(run, settings, usage);
    return {
      figures: { 'handshake-rate': window.rate, 'handshake-cpu': window.cpuMicros },
      serverBusyPercent: window.serverBusyPercent,
      loadBusyPercent: window.loadBusyPercent,
      failures: window.failures,
    };
  },
};
