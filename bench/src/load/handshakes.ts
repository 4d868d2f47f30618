/**
 * Handshakes per second: many clients at once, each connecting, waiting for open and
 * closing cleanly, so the figure covers the whole life of a short connection.
 */
import type { Measurement } from '../measurement.js';
import { busyPercent, mergeFailures } from '../measurement.js';
import { FailureTally } from './failure-tally.js';
import { ConnectFailure, LeanSocket, leanTarget } from './lean-socket.js';
import { runConcurrently } from './run-concurrently.js';

export interface HandshakeRequest {
  readonly type: 'handshakes';
  readonly url: string;
  readonly concurrency: number;
  /** Stop starting new handshakes after this many, or after `durationMs`, whichever first. */
  readonly maxCount: number;
  readonly durationMs: number;
  /** Per connection, for open and for close each. */
  readonly timeoutMs: number;
}

export interface HandshakeResult {
  readonly completed: number;
  readonly elapsedMs: number;
  /** The load generator's own CPU time during the run. */
  readonly loadCpuMicros: number;
  readonly failures: Record<string, number>;
}

/** Runs the handshakes and counts every one that did not open and close cleanly. */
async function runHandshakes(request: HandshakeRequest): Promise<HandshakeResult> {
  const failures = new FailureTally();
  const target = leanTarget(request.url);
  let started = 0;
  let completed = 0;
  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  const deadline = startedAt + request.durationMs;
  await runConcurrently(
    request.concurrency,
    () => started < request.maxCount && performance.now() < deadline,
    async () => {
      started++;
      try {
        const socket = await LeanSocket.open(target, request.timeoutMs);
        if (await socket.close(request.timeoutMs)) completed++;
        else failures.add('close not clean (no 1000 back in time)');
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

/** Load side: the handshake request the load child answers. */
export const handshakeHandlers = { handshakes: runHandshakes };

/** How the handshake rows are run; small enough to finish in seconds on two cores. */
const settings = {
  concurrency: 50,
  warmup: { maxCount: 200, durationMs: 500 },
  measured: { maxCount: 20_000, durationMs: 2_000 },
  timeoutMs: 5_000,
};

/** Parent side: warm up, then measure rate and server CPU per handshake. */
export const handshakeMeasurement: Measurement = {
  name: 'handshakes',
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
  async run({ load, url, usage }) {
    const run = (phase: typeof settings.warmup): Promise<HandshakeResult> =>
      load.request<HandshakeResult>(
        {
          type: 'handshakes',
          url,
          concurrency: settings.concurrency,
          timeoutMs: settings.timeoutMs,
          ...phase,
        } satisfies HandshakeRequest,
        phase.durationMs + 4 * settings.timeoutMs,
      );
    const warmup = await run(settings.warmup);
    const before = await usage(false);
    const measured = await run(settings.measured);
    const after = await usage(false);
    if (measured.completed === 0) {
      throw new Error(
        `bench: no handshake completed; failures: ${JSON.stringify(measured.failures)}`,
      );
    }
    return {
      figures: {
        'handshake-rate': measured.completed / (measured.elapsedMs / 1_000),
        'handshake-cpu': (after.cpuMicros - before.cpuMicros) / measured.completed,
      },
      serverBusyPercent: busyPercent(after.cpuMicros - before.cpuMicros, measured.elapsedMs),
      loadBusyPercent: busyPercent(measured.loadCpuMicros, measured.elapsedMs),
      failures: mergeFailures(warmup.failures, measured.failures),
    };
  },
};
