/**
 * `npm run bench`: every server in its own process (pinned to one CPU when taskset exists),
 * the load generator in another. Each measurement runs in short windows that alternate
 * between the servers (A B B A ...), so a neighbour that wakes up for ten seconds slows both
 * sides rather than one; then per suite a table with the median of the windows and the
 * ratios to the suite's first server (raw `ws`, where there is one).
 *
 * Measurements come in suites, each with its own servers: idle memory at 10,000
 * authenticated connections (raw ws, wsgate, the auth stack without and with the
 * socketAuthMiddleware that @wsgate/client needs, and Socket.IO without and with its auth
 * middleware; first, on fresh processes); the plain rows
 * (raw ws against the wsgate echo app); the authenticated rows (raw ws against the full auth
 * stack, with and without its unseal cache); group fan-out (wsgate's in-memory channel layer
 * against its Redis layer, which needs Redis on 127.0.0.1:6379, and a plain loop over ws's
 * sockets); and a reconnect storm (@wsgate/client against an auth server that is killed and
 * restarted: ws has no reconnecting client, so no baseline, absolute figures). A server in
 * two suites is one process.
 *
 * Flags (after `npm run bench --`): `--rounds <n>` windows per server and measurement
 * (default 5, and 3 for the longer authenticated, fan-out and storm windows); `--only <names>`
 * (a comma list of measurements: idle-memory, handshakes, echo, auth-handshakes, fanout,
 * reconnect-storm); `--profile` (write a V8 CPU profile of each server to
 * bench/results/profiles/, for `node dist/profile-summary.js`).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BenchChild } from './bench-child.js';
import { detectCpuPinning } from './cpu-pinning.js';
import { authHandshakeMeasurement } from './load/auth-handshakes.js';
import { echoMeasurement } from './load/echo.js';
import { fanoutMeasurement } from './load/fanout.js';
import { handshakeMeasurement } from './load/handshakes.js';
import { idleMemoryMeasurement } from './load/idle-memory.js';
import type { Protocol } from './load/load-client.js';
import type { LoadRequest } from './load/load-request.js';
import { reconnectStormMeasurement } from './load/reconnect-storm.js';
import type { Measurement, MeasurementResult } from './measurement.js';
import { formatSummary, summarise } from './report.js';
import type { Sample, Summary } from './report.js';
import type { ServerRequest, ServerUsage } from './servers/server-entry.js';
import { wallClockMs } from './wall-clock.js';

/** A server to measure: a name for the table and its child entry module. */
interface Target {
  readonly name: string;
  readonly entry: string;
  /** Arguments for the entry module. */
  readonly args?: readonly string[];
  /** It logs users in over HTTP and authenticates sockets (see MeasureContext). */
  readonly authenticates?: boolean;
  /** What it speaks, which the load speaks to it. @default 'ws' */
  readonly protocol?: Protocol;
}

/** Measurements and the servers they compare; the first server is the ratios' baseline. */
interface Suite {
  readonly targets: readonly Target[];
  readonly measurements: readonly Measurement[];
}

const rawWs: Target = { name: 'raw ws', entry: 'servers/raw-ws.js' };
const wsgate: Target = { name: 'wsgate', entry: 'servers/wsgate-echo.js' };
const wsgateAuth: Target = {
  name: 'wsgate auth',
  entry: 'servers/wsgate-auth.js',
  authenticates: true,
};
/** The auth stack as @wsgate/client needs it: with socketAuthMiddleware, which answers whoami. */
const wsgateSocketAuth: Target = {
  name: 'wsgate auth, socket auth',
  entry: 'servers/wsgate-auth.js',
  args: ['--socket-auth'],
  authenticates: true,
};
const socketIo: Target = {
  name: 'socket.io',
  entry: 'servers/socketio-echo.js',
  protocol: 'socket.io',
};
const socketIoAuth: Target = {
  name: 'socket.io auth',
  entry: 'servers/socketio-auth.js',
  authenticates: true,
  protocol: 'socket.io',
};

// Idle memory first, in a suite of its own: it needs servers that have not yet held any
// connection (an auth server has at most logged users in). In the authenticated rows,
// wsgate without auth (it ignores the cookie) tells the auth stack's cost from the rest, and
// Socket.IO without auth its middleware's. A measurement whose load does not speak a server's
// protocol leaves that server out (its column reads n/a).
const suites: readonly Suite[] = [
  {
    targets: [rawWs, wsgate, wsgateAuth, wsgateSocketAuth, socketIo, socketIoAuth],
    measurements: [idleMemoryMeasurement],
  },
  {
    targets: [rawWs, wsgate, socketIo],
    measurements: [handshakeMeasurement, echoMeasurement],
  },
  {
    targets: [
      rawWs,
      wsgate,
      wsgateAuth,
      {
        name: 'wsgate auth, no cache',
        entry: 'servers/wsgate-auth.js',
        args: ['--cache-size', '0'],
        authenticates: true,
      },
      socketIo,
      socketIoAuth,
    ],
    measurements: [authHandshakeMeasurement],
  },
  {
    // The in-memory layer is the baseline; the loop shows what a send costs with no layer.
    targets: [
      {
        name: 'wsgate, memory layer',
        entry: 'servers/wsgate-fanout.js',
        args: ['--layer', 'memory'],
      },
      {
        name: 'wsgate, Redis layer',
        entry: 'servers/wsgate-fanout.js',
        args: ['--layer', 'redis'],
      },
      { name: 'raw ws loop', entry: 'servers/raw-ws-fanout.js' },
    ],
    measurements: [fanoutMeasurement],
  },
  {
    // Alone: the storm restarts its server, and ws has no client that reconnects by itself.
    targets: [wsgateSocketAuth],
    measurements: [reconnectStormMeasurement],
  },
];

const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));

const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string' },
    only: { type: 'string' },
    profile: { type: 'boolean', default: false },
  },
});
const rounds = flags.rounds === undefined ? undefined : Number(flags.rounds);
if (rounds !== undefined && (!Number.isInteger(rounds) || rounds < 1 || rounds > 9)) {
  throw new Error(`bench: --rounds must be an integer from 1 to 9, got '${flags.rounds}'.`);
}

const allMeasurements = suites.flatMap((suite) => suite.measurements);
const only = flags.only?.split(',').map((name) => name.trim());
const unknown = only?.filter((name) => !allMeasurements.some((m) => m.name === name)) ?? [];
if (unknown.length > 0) {
  throw new Error(
    `bench: --only names no measurement ${unknown.join(', ')}; choose from ${allMeasurements.map((m) => m.name).join(', ')}.`,
  );
}
/** The suites with what `--only` kept of them; a suite left empty starts no server. */
const activeSuites = suites
  .map((suite) => ({
    ...suite,
    measurements: suite.measurements.filter((m) => only?.includes(m.name) ?? true),
  }))
  .filter((suite) => suite.measurements.length > 0);
const activeTargets = [...new Set(activeSuites.flatMap((suite) => suite.targets))];

function windowsOf(measurement: Measurement): number {
  if (measurement.firstRoundOnly === true) return 1;
  return rounds ?? measurement.defaultRounds ?? 5;
}

/**
 * Every loop is bounded; this catches a bound that is wrong. A window takes 3 to 6 s unless
 * its measurement's budget says otherwise; start-up and short logins get the fixed part.
 */
const watchdogMs =
  90_000 +
  1_000 *
    activeSuites
      .flatMap((suite) =>
        suite.measurements.map(
          (m) =>
            (m.budget?.prepareSeconds ?? 0) +
            (m.budget?.windowSeconds ?? 10) * windowsOf(m) * suite.targets.length,
        ),
      )
      .reduce((sum, seconds) => sum + seconds, 0);

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
  { entry, args = [] }: Pick<Target, 'entry' | 'args'>,
  cpu: string | undefined,
  execArgv: string[],
): Promise<BenchChild<Request>> {
  const child = await BenchChild.start<Request>({ label, entry, args, cpu, execArgv });
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

function echoUrl(server: BenchChild<ServerRequest>): string {
  return `ws://127.0.0.1:${server.ready.port}/echo/`;
}

async function runSuite(
  suite: Suite,
  servers: ReadonlyMap<Target, BenchChild<ServerRequest>>,
  load: BenchChild<LoadRequest>,
): Promise<Sample[]> {
  const samples: Sample[] = [];
  const serverOf = (target: Target): BenchChild<ServerRequest> => servers.get(target)!;
  const protocolOf = (target: Target): Protocol => target.protocol ?? 'ws';
  for (const measurement of suite.measurements) {
    const windows = windowsOf(measurement);
    const protocols = measurement.protocols ?? ['ws'];
    const targets = suite.targets.filter((target) => protocols.includes(protocolOf(target)));
    if (measurement.prepare !== undefined) {
      const prepared = measurement.prepare({
        load,
        windows,
        servers: targets.map((target) => ({
          name: target.name,
          port: serverOf(target).ready.port!,
          url: echoUrl(serverOf(target)),
          protocol: protocolOf(target),
          authenticates: target.authenticates === true,
        })),
      });
      const crashes = [load, ...targets.map(serverOf)].map((child) => child.crashed);
      console.log(`  ${measurement.name}: ${await Promise.race([prepared, ...crashes])}`);
    }
    for (let round = 1; round <= windows; round++) {
      // A B C, then C B A: drift in the machine's load over a pair favours no side.
      const order = round % 2 === 1 ? targets : [...targets].reverse();
      for (const target of order) {
        const server = serverOf(target);
        const startedAt = performance.now();
        const run = measurement.run({
          server,
          load,
          url: echoUrl(server),
          protocol: protocolOf(target),
          authenticates: target.authenticates === true,
          usage: (gc) => server.request<ServerUsage>({ type: 'usage', gc }, 10_000),
          // Only a server that takes --port comes back where its clients look for it.
          restartServer: async () => {
            await server.restart([...(target.args ?? []), '--port', String(server.ready.port)]);
            return wallClockMs();
          },
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
  for (const target of activeTargets) {
    const label = `${target.name} server`;
    servers.set(target, await startChild(label, target, pinning.server, serverFlags(target)));
  }
  const load = await startChild<LoadRequest>(
    'load generator',
    { entry: 'load/load-entry.js' },
    pinning.load,
    [],
  );
  const summaries: Summary[] = [];
  const samples: Sample[] = [];
  for (const suite of activeSuites) {
    const suiteSamples = await runSuite(suite, servers, load);
    samples.push(...suiteSamples);
    const names = suite.targets.map((target) => target.name);
    summaries.push(summarise(suite.measurements, names, suiteSamples));
  }
  // Stopped in the open: a child that will not stop is a failure, not something to skip.
  for (const child of [load, ...servers.values()]) {
    await child.stop();
    live.delete(child);
  }
  const seconds = (Date.now() - startedAt.getTime()) / 1_000;
  console.log(`load average at end: ${formatLoad()}`);
  for (const summary of summaries) console.log(`\n${formatSummary(summary)}\n`);
  await mkdir(resultsDir, { recursive: true });
  const file = `${resultsDir}latest.json`;
  const record = {
    startedAt,
    seconds,
    machine,
    pinning: pinning.description,
    rounds: rounds ?? 'default',
    summaries,
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
