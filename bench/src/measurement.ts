import type { BenchChild } from './bench-child.js';
import type { Protocol } from './load/load-client.js';
import type { LoadRequest } from './load/load-request.js';
import type { ServerRequest, ServerUsage } from './servers/server-entry.js';

/** One line of the report table. */
export interface RowSpec {
  readonly id: string;
  readonly label: string;
  readonly unit: string;
  /** Which way is better, so the ratio (and a regression) reads the right way. */
  readonly better: 'higher' | 'lower';
  readonly decimals: number;
}

/** What one measurement produced against one server in one window. */
export interface MeasurementResult {
  /** Row id -> value in that row's unit. */
  readonly figures: Readonly<Record<string, number>>;
  /** Failure reason -> count (failed handshakes, lost echoes...); printed, never dropped. */
  readonly failures: Readonly<Record<string, number>>;
  /**
   * The share of one CPU the server used during the measured window, in percent. Near 100
   * the server is the bottleneck; well under it, with the load generator also well under
   * (`loadBusyPercent`), both waited on the scheduler (busy neighbours) and the rate rows
   * say more about the machine than the server: read the CPU-per-operation rows.
   */
  readonly serverBusyPercent?: number;
  /** The same for the load generator; near 100 it, not the server, sets the rate. */
  readonly loadBusyPercent?: number;
}

/** What a measurement may use: one server child and the load child (both live for the whole run), the echo URL. */
export interface MeasureContext {
  readonly server: BenchChild<ServerRequest>;
  readonly load: BenchChild<LoadRequest>;
  /** `ws://127.0.0.1:<port>/echo/` */
  readonly url: string;
  /** What the server speaks there; one of the measurement's `protocols`. */
  readonly protocol: Protocol;
  /** The server logs users in and authenticates sockets (a baseline does neither). */
  readonly authenticates: boolean;
  /** The server's memory and CPU time; `gc` collects garbage first (for memory figures). */
  readonly usage: (gc: boolean) => Promise<ServerUsage>;
  /**
   * Kills the server (SIGKILL, as a crash) and starts it again on its port; resolves with the
   * wallClockMs at which it reported listening. `server` and `usage` then mean the new one.
   */
  readonly restartServer: () => Promise<number>;
}

/** A server as `prepare` sees it, before any window. */
export interface PreparedServer {
  readonly name: string;
  /** On 127.0.0.1. */
  readonly port: number;
  /** As MeasureContext's. */
  readonly url: string;
  readonly protocol: Protocol;
  readonly authenticates: boolean;
}

/** What `prepare` may use: the load child, every server of the run, and how many windows follow. */
export interface PrepareContext {
  readonly load: BenchChild<LoadRequest>;
  readonly servers: readonly PreparedServer[];
  /** Windows this measurement will run against each server. */
  readonly windows: number;
}

/**
 * A benchmark that yields one or more table rows. It drives the load child by request and
 * reads the server's usage around the measured window; the same code runs against every
 * server, which is what makes the ratio meaningful. Add a row by adding a Measurement.
 *
 * @example
 * const measurements: Measurement[] = [idleMemoryMeasurement, handshakeMeasurement];
 */
export interface Measurement {
  readonly name: string;
  readonly rows: readonly RowSpec[];
  /**
   * The protocols its load can speak; a server that speaks another is left out of it (its
   * column reads n/a). @default ['ws']
   */
  readonly protocols?: readonly Protocol[];
  /** Figures that do not drift (memory): measured in one window only, saving time. */
  readonly firstRoundOnly?: boolean;
  /**
   * What the run's watchdog allows it: seconds per window (@default 10), and once for
   * `prepare` (@default 0: the run's fixed allowance covers a short one).
   */
  readonly budget?: { readonly windowSeconds?: number; readonly prepareSeconds?: number };
  /** Windows per server when `--rounds` is not given (long windows run fewer). @default 5 */
  readonly defaultRounds?: number;
  /**
   * Runs once before the first window (logging users in, say); what it resolves to is
   * printed in the run log.
   */
  prepare?(context: PrepareContext): Promise<string>;
  run(context: MeasureContext): Promise<MeasurementResult>;
}

/** CPU time over a wall-clock window, as a percentage of one CPU. */
export function busyPercent(cpuMicros: number, elapsedMs: number): number {
  return (100 * cpuMicros) / (elapsedMs * 1_000);
}

/** Adds tallies of failures (warm-up and measured run, say) into one. */
export function mergeFailures(
  ...tallies: ReadonlyArray<Readonly<Record<string, number>>>
): Record<string, number> {
  const merged: Record<string, number> = {};
  for (const tally of tallies) {
    for (const [reason, count] of Object.entries(tally)) {
      merged[reason] = (merged[reason] ?? 0) + count;
    }
  }
  return merged;
}
