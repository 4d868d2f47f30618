/**
 * `npm run bench`: each server in its own process (pinned to one CPU when taskset exists),
 * the load in another, the same measurements against each, alternating the order every
 * round; then one table with the best figures and the ratio to raw `ws`.
 *
 * Flags (after `npm run bench --`): `--rounds <n>` (default 2); `--only <names>` (a comma
 * list of measurements: idle-memory, handshakes, echo); `--profile` (write a V8 CPU profile
 * of each server to bench/results/profiles/, for `node dist/profile-summary.js`).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BenchChild } from './bench-child.js';
import { detectCpuPinning } from './cpu-pinning.js';
import { echoMeasurement } from './load/echo.js';
import { handshakeMeasurement } from './load/handshakes.js';
import { idleMemoryMeasurement } from './load/idle-memory.js';
import type { MeasureContext, Measurement, MeasurementResult } from './measurement.js';
import { formatSummary, summarise } from './report.js';
import type { RoundResult } from './report.js';
import type { LoadRequest } from './load/load-request.js';
import type { ServerRequest, ServerUsage } from './servers/server-entry.js';

/** A server to measure: a name for the table and its child entry module. The first is the baseline. */
interface Target {
  readonly name: string;
  readonly entry: string;
}

const targets: readonly Target[] = [
  { name: 'raw ws', entry: 'servers/raw-ws.js' },
  { name: 'wsgate', entry: 'servers/wsgate-echo.js' },
];

// Idle memory first: it needs a server that has not yet held any connection.
const allMeasurements: readonly Measurement[] = [
  idleMemoryMeasurement,
  handshakeMeasurement,
  echoMeasurement,
];

const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));

const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string', default: '2' },
    only: { type: 'string' },
    profile: { type: 'boolean', default: false },
  },
});
const rounds = Number(flags.rounds);
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 5) {
  throw new Error(`bench: --rounds must be an integer from 1 to 5, got '${flags.rounds}'.`);
}

/** Every loop is bounded; this catches a bound that is wrong (a round takes ~70 s when busy). */
const watchdogMs = rounds * 85_000;

const only = flags.only?.split(',').map((name) => name.trim());
const unknown = only?.filter((name) => !allMeasurements.some((m) => m.name === name)) ?? [];
if (unknown.length > 0) {
  throw new Error(
    `bench: --only names no measurement ${unknown.join(', ')}; choose from ${allMeasurements.map((m) => m.name).join(', ')}.`,
  );
}
const measurements = allMeasurements.filter((m) => only?.includes(m.name) ?? true);

const pinning = detectCpuPinning();
const live = new Set<BenchChild<{ readonly type: string }>>();

const watchdog = setTimeout(() => {
  console.error(`FAILED: the run took longer than ${watchdogMs / 1_000} s; a bound is wrong.`);
  for (const child of live) child.kill();
  process.exit(1);
}, watchdogMs);
watchdog.unref();

async function startChild<Request extends { readonly type: string }>(
  label: string,
  entry: string,
  cpu: string | undefined,
  execArgv: string[],
): Promise<BenchChild<Request>> {
  const child = await BenchChild.start<Request>({ label, entry, cpu, execArgv });
  live.add(child);
  return child;
}

async function stopChild(child: BenchChild<{ readonly type: string }>): Promise<void> {
  try {
    await child.stop();
  } finally {
    child.kill();
    live.delete(child);
  }
}

function serverFlags(target: Target, round: number): string[] {
  if (!flags.profile) return ['--expose-gc'];
  const name = `${target.name.replace(/\W+/g, '-')}-round${round}.cpuprofile`;
  return [
    '--expose-gc',
    '--cpu-prof',
    `--cpu-prof-dir=${resultsDir}profiles`,
    `--cpu-prof-name=${name}`,
  ];
}

function headline(result: MeasurementResult): string {
  const figures = Object.entries(result.figures).map(
    ([row, value]) => `${row} ${value.toFixed(value < 100 ? 2 : 0)}`,
  );
  const failed = Object.values(result.failures).reduce((sum, count) => sum + count, 0);
  const busy = result.serverBusyPercent;
  const load = busy === undefined ? '' : `; server CPU busy ${busy.toFixed(0)}%`;
  return `${figures.join(', ')}${load}${failed === 0 ? '' : `; ${failed} FAILED`}`;
}

async function measureTarget(target: Target, round: number): Promise<RoundResult> {
  const server = await startChild<ServerRequest>(
    `${target.name} server`,
    target.entry,
    pinning.server,
    serverFlags(target, round),
  );
  try {
    const load = await startChild<LoadRequest>(
      'load generator',
      'load/load-entry.js',
      pinning.load,
      [],
    );
    const context: MeasureContext = {
      server,
      load,
      url: `ws://127.0.0.1:${server.ready.port}/echo/`,
      usage: (gc) => server.request<ServerUsage>({ type: 'usage', gc }, 10_000),
    };
    const results: Record<string, MeasurementResult> = {};
    try {
      for (const measurement of measurements) {
        const startedAt = performance.now();
        const result = await Promise.race([measurement.run(context), server.crashed, load.crashed]);
        results[measurement.name] = result;
        const seconds = ((performance.now() - startedAt) / 1_000).toFixed(1);
        console.log(`  ${target.name}, ${measurement.name} (${seconds} s): ${headline(result)}`);
      }
    } finally {
      await stopChild(load);
    }
    return { round, target: target.name, results };
  } finally {
    await stopChild(server);
  }
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const machine = `${availableParallelism()} CPUs (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, ${process.platform}/${process.arch}`;
  console.log(`wsgate bench: ${machine}`);
  console.log(`CPU pinning: ${pinning.description}`);
  console.log(
    `load average at start: ${loadavg()
      .map((load) => load.toFixed(2))
      .join(' ')}`,
  );
  const results: RoundResult[] = [];
  for (let round = 1; round <= rounds; round++) {
    // Alternate who goes first, so drift in the machine's load does not favour one side.
    const order = round % 2 === 1 ? targets : [...targets].reverse();
    console.log(
      `round ${round} of ${rounds}: ${order.map((target) => target.name).join(', then ')}`,
    );
    for (const target of order) results.push(await measureTarget(target, round));
  }
  const summary = summarise(
    measurements,
    targets.map((target) => target.name),
    results,
  );
  const seconds = (Date.now() - startedAt.getTime()) / 1_000;
  console.log(
    `load average at end: ${loadavg()
      .map((load) => load.toFixed(2))
      .join(' ')}`,
  );
  console.log(`\n${formatSummary(summary)}\n`);
  await mkdir(resultsDir, { recursive: true });
  const file = `${resultsDir}latest.json`;
  await writeFile(
    file,
    `${JSON.stringify({ startedAt, seconds, machine, pinning: pinning.description, rounds, summary, results }, null, 2)}\n`,
  );
  console.log(`${results.length} server runs in ${seconds.toFixed(0)} s; results in ${file}`);
}

try {
  await main();
} catch (error) {
  for (const child of live) child.kill();
  console.error(`\nFAILED: ${error instanceof Error ? error.message : String(error)}`);
  // Work still in flight against the dead child must not keep a failed run alive.
  process.exit(1);
}
