/**
 * Milliseconds since the epoch at sub-millisecond resolution, from the monotonic clock: the
 * orchestrator and its children can compare their readings (one machine, one wall clock),
 * which `performance.now()` alone, counted from each process's start, does not allow.
 *
 * @example
 * const listeningAt = wallClockMs(); // sent to the load child, compared with its own readings
 */
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}
