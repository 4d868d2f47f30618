/**
 * Failures counted by reason, so the report can say how many and why rather than only that
 * something failed.
 *
 * @example
 * const failures = new FailureTally();
 * failures.add('ECONNRESET');
 * failures.total; // 1
 */
export class FailureTally {
  readonly #byReason = new Map<string, number>();
  #total = 0;

  get total(): number {
    return this.#total;
  }

  /** Counts `count` failures (one by default) for `reason`. */
  add(reason: string, count = 1): void {
    this.#byReason.set(reason, (this.#byReason.get(reason) ?? 0) + count);
    this.#total += count;
  }

  /** A plain object for the IPC reply: reason -> count. */
  toRecord(): Record<string, number> {
    return Object.fromEntries(this.#byReason);
  }
}
