/**
 * `npm run bench`: every server in its own process (pinned to one CPU when taskset exists),
 * the load generator in another. Each measurement runs in short windows that alternate
 * between the servers (A B B A ...), so a neighbour that wakes up for ten seconds slows both
 * sides rather than one; then one table with the median of the windows and the ratio to
 * raw `ws`.
 *
 * Flags (after `npm run bench --`): `--rounds <n>` windows per server and measurement
 * (default 5); `--only <names>` (a comma list of measurements: idle-memory, handshakes,
 * echo); `--profile` (write a V8 CPU profile of each server to bench/results/profiles/, for
 * `node dist/profile-summary.js`).
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
import type { LoadRequest } from './load/load-request.js';
import type { Measurement, MeasurementResult } from './measurement.js';
import { formatSummary, summarise } from './report.js';
import type { Sample } from './report.js';
import type { ServerRequest, ServerUsage } from './servers/server-entry.js';

/** A server to measure: a name for the table and its child entry module. */
interface Target {
  readonly name: string;
  readonly entry: string;
}

/** The first is the baseline that ratios are taken against. */
const targets: readonly Target[] = [
  { name: 'raw ws', entry: 'servers/raw-ws.js' },
  { name: 'wsgate', entry: 'servers/wsgate-echo.js' },
];

// Idle memory first: it needs servers that have not yet held any connection.
const allMeasurements: readonly Measurement[] = [
  idleMemoryMeasurement,
  handshakeMeasurement,
  echoMeasurement,
];

const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));

const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    only: { type: 'string' },
    profile: { type: 'boolean', default: false },
  },
});
const rounds = Number(flags.rounds);
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 9) {
  throw new Error(`bench: --rounds must be an integer from 1 to 9, got '${flags.rounds}'.`);
}

const only = flags.only?.split(',').map((name) => name.trim());
const unknown = only?.filter((name) => !allMeasurements.some((m) => m.name === name)) ?? [];
if (unknown.length > 0) {
  throw new Error(
    `bench: --only names no measurement ${unknown.join(', ')}; choose from ${allMeasurements.map((m) => m.name).join(', ')}.`,
  );
}
const measurements = allMeasurements.filter((m) => only?.includes(m.name) ?? true);

/** Every loop is bounded; this catches a bound that is wrong (a window takes ~3 s). */
const watchdogMs = 60_000 + rounds * 20_000;

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

function serverFlags(target: Target): string[] {
  if (!flags.profile) return ['--expose-gc'];
  return [
    '--expose-gc',
    '--cpu-prof',
    `--cpu-prof-dir=${resultsDir}profiles`,
    `--cpu-prof-name=${target.name.replace(/\W+/g, '-')}.cpuprofile`,
  ];
}

function headline(result: MeasurementResult): string {
  const figures = Object.entries(result.figures).map(
    ([row, value]) => `${row} ${value.toFixed(value < 100 ? 2 : 0)}`,
  );
  const failed = Object.values(result.failures).reduce((sum, count) => sum + count, 0);
  const { serverBusyPercent: server, loadBusyPercent: load } = result;
  const busy =
    server === undefined || load === undefined
      ? ''
      : `; CPU busy: server ${server.toFixed(0)}%, load ${load.toFixed(0)}%`;
  return `${figures.join(', ')}${busy}${failed === 0 ? '' : `; ${failed} FAILED`}`;
}

function formatLoad(): string {
  return loadavg()
    .map((load) => load.toFixed(2))
    .join(' ');
}

async function runAll(
  servers: ReadonlyMap<Target, BenchChild<ServerRequest>>,
  load: BenchChild<LoadRequest>,
): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (const measurement of measurements) {
    const windows = measurement.firstRoundOnly === true ? 1 : rounds;
    for (let round = 1; round <= windows; round++) {
      // A B, then B A: drift in the machine's load over a pair favours neither side.
      const order = round % 2 === 1 ? targets : [...targets].reverse();
      for (const target of order) {
        const server = servers.get(target)!;
        const startedAt = performance.now();
        const run = measurement.run({
          server,
          load,
          url: `ws://127.0.0.1:${server.ready.port}/echo/`,
          usage: (gc) => server.request<ServerUsage>({ type: 'usage', gc }, 10_000),
        });
        const result = await Promise.race([run, server.crashed, load.crashed]);
        samples.push({ measurement: measurement.name, round, target: target.name, result });
        const seconds = ((performance.now() - startedAt) / 1_000).toFixed(1);
        console.log(
          `  ${measurement.name} ${round}/${windows}, ${target.name} (${seconds} s): ${headline(result)}`,
        );
      }
    }
  }
  return samples;
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const machine = `${availableParallelism()} CPUs (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, ${process.platform}/${process.arch}`;
  console.log(`wsgate bench: ${machine}`);
  console.log(`CPU pinning: ${pinning.description}`);
  console.log(`load average at start: ${formatLoad()}`);
  const servers = new Map<Target, BenchChild<ServerRequest>>();
  for (const target of targets) {
    const label = `${target.name} server`;
    servers.set(target, await startChild(label, target.entry, pinning.server, serverFlags(target)));
  }
  const load = await startChild<LoadRequest>(
    'load generator',
    'load/load-entry.js',
    pinning.load,
    [],
  );
  const samples = await runAll(servers, load);
  // Stopped in the open: a child that will not stop is a failure, not something to skip.
  for (const child of [load, ...servers.values()]) {
    await child.stop();
    live.delete(child);
  }
  const summary = summarise(
    measurements,
    targets.map((target) => target.name),
    samples,
  );
  const seconds = (Date.now() - startedAt.getTime()) / 1_000;
  console.log(`load average at end: ${formatLoad()}`);
  console.log(`\n${formatSummary(summary)}\n`);
  await mkdir(resultsDir, { recursive: true });
  const file = `${resultsDir}latest.json`;
  const record = {
    startedAt,
    seconds,
    machine,
    pinning: pinning.description,
    rounds,
    summary,
    samples,
  };
  await writeFile(file, `${JSON.stringify(record, null, 2)}\n`);
  console.log(`${samples.length} windows in ${seconds.toFixed(0)} s; results in ${file}`);
}

try {
  await main();
} catch (error) {
  for (const child of live) child.kill();
  console.error(`\nFAILED: ${error instanceof Error ? error.message : String(error)}`);
  // Work still in flight against a dead child must not keep a failed run alive.
  process.exit(1);
}
