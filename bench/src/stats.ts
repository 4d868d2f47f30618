/**
 * A growable list of latency samples in milliseconds, kept as a typed array so a run of
 * hundreds of thousands of round trips does not churn the load generator's heap.
 */
export class SampleRecorder {
  #samples = new Float64Array(1024);
  #count = 0;

  get count(): number {
    return this.#count;
  }

  add(value: number): void {
    if (this.#count === this.#samples.length) {
      const grown = new Float64Array(this.#samples.length * 2);
      grown.set(this.#samples);
      this.#samples = grown;
    }
    this.#samples[this.#count++] = value;
  }

  /** The recorded samples, sorted ascending (a copy). */
  sorted(): Float64Array {
    return this.#samples.slice(0, this.#count).sort();
  }
}

/**
 * The nearest-rank percentile of ascending samples (`p` in 0..100); NaN when there are none.
 *
 * @example
 * percentile(new Float64Array([1, 2, 3, 4]), 50); // 2
 */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? Number.NaN;
}

/**
 * The median of some values (the mean of the middle two for an even count); NaN for none.
 *
 * @example
 * median([3, 1, 2]); // 2
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
