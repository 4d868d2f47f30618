/**
 * An unbounded FIFO whose `shift()` waits for the next item. The adapter, the consumers and
 * the testing communicators all hand events between tasks through it; bounds are the caller's
 * (it knows whether to pause a socket or refuse a send), so `length` is cheap to read.
 */
export class AsyncQueue<T> {
  #items: T[] = [];
  #head = 0;
  #waiters: Array<(item: T) => void> = [];
  #ended = false;
  #last: T | undefined;

  get length(): number {
    return this.#items.length - this.#head;
  }

  push(item: T): void {
    const waiter = this.#waiters.shift();
    if (waiter) waiter(item);
    else this.#items.push(item);
  }

  /**
   * Ends the queue with `last`: items still queued are handed out first, then every waiting
   * and later `shift()` gets `last`. The first end wins. Ending wakes the waiters directly, so
   * a reader needs no AbortSignal to learn that nothing more will come.
   */
  end(last: T): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#last = last;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) waiter(last);
  }

  /**
   * The next item, waiting for one if none is queued. An aborted `signal` rejects with its
   * reason and withdraws the wait, so a timed-out reader never swallows a later item.
   */
  shift(signal?: AbortSignal): Promise<T> {
    if (this.length > 0) return Promise.resolve(this.#take());
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    if (this.#ended) return Promise.resolve(this.#last as T);
    if (signal === undefined) {
      return new Promise<T>((resolve) => {
        this.#waiters.push(resolve);
      });
    }
    return new Promise<T>((resolve, reject) => {
      const waiter = (item: T): void => {
        signal.removeEventListener('abort', onAbort);
        resolve(item);
      };
      const onAbort = (): void => {
        const index = this.#waiters.indexOf(waiter);
        if (index !== -1) this.#waiters.splice(index, 1);
        reject(signal.reason as Error);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  #take(): T {
    const item = this.#items[this.#head] as T;
    this.#items[this.#head] = undefined as T;
    this.#head += 1;
    if (this.#head === this.#items.length) {
      // Drained: truncating frees the backing store, which an idle connection would keep.
      this.#items.length = 0;
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      // Compact now and then so a long-lived queue does not keep a growing dead prefix.
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }
}
