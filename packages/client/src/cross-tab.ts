/**
 * Tabs of one origin share one session cookie. A logout or revocation seen by one tab must
 * reach the others (BroadcastChannel), and refreshes must not race each other's cookie writes
 * (Web Locks, or a BroadcastChannel claim where locks are missing). Everything is
 * feature-checked; when disabled (the default outside browser pages) it does nothing.
 */

type CrossTabMessage =
  | { readonly type: 'signed-out'; readonly reason: string }
  | { readonly type: 'refresh-start' | 'refresh-end'; readonly tab: string };

export interface CrossTabOptions {
  /** Channel and lock name; tabs with the same name coordinate. */
  readonly name: string;
  readonly enabled: boolean;
  /** How long another tab's refresh claim is honoured: a tab may close mid-refresh. */
  readonly claimTimeoutMs: number;
  /** Another tab logged out or was revoked. */
  readonly signedOut: (reason: string) => void;
}

const runtime = globalThis as { navigator?: Navigator; BroadcastChannel?: typeof BroadcastChannel };

function isCrossTabMessage(value: unknown): value is CrossTabMessage {
  if (typeof value !== 'object' || value === null) return false;
  const message = value as Record<string, unknown>;
  if (message.type === 'signed-out') return typeof message.reason === 'string';
  return (
    (message.type === 'refresh-start' || message.type === 'refresh-end') &&
    typeof message.tab === 'string'
  );
}

/**
 * @example
 * const tabs = new CrossTab({ name: 'wsgate:app.example', enabled: true, claimTimeoutMs: 10_000, signedOut });
 * await tabs.exclusive(() => refreshSession());
 * tabs.signedOut('logged out in another tab');
 */
export class CrossTab {
  readonly #channel: BroadcastChannel | undefined;
  readonly #tab = Math.random().toString(36).slice(2);
  /** Other tabs refreshing right now, each with the timer that gives up on it. */
  readonly #claims = new Map<string, ReturnType<typeof setTimeout>>();
  #waiters: (() => void)[] = [];
  /** Serialises this tab's own exclusive work when there is no lock manager to do it. */
  #local: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: CrossTabOptions) {
    if (options.enabled && typeof runtime.BroadcastChannel === 'function') {
      this.#channel = new runtime.BroadcastChannel(options.name);
      this.#channel.onmessage = (event: MessageEvent<unknown>) => this.#receive(event.data);
    }
  }

  /** Tells the other tabs that the session is gone. */
  signedOut(reason: string): void {
    this.#post({ type: 'signed-out', reason });
  }

  /** Runs `work` while no other tab (and no other call here) runs its exclusive work. */
  async exclusive<T>(work: () => Promise<T>): Promise<T> {
    const locks = this.options.enabled ? runtime.navigator?.locks : undefined;
    if (locks) return await locks.request(this.options.name, work);
    const run = this.#local.then(async () => {
      await this.#othersDone();
      this.#post({ type: 'refresh-start', tab: this.#tab });
      try {
        return await work();
      } finally {
        this.#post({ type: 'refresh-end', tab: this.#tab });
      }
    });
    this.#local = run.catch(() => undefined);
    return await run;
  }

  close(): void {
    this.#channel?.close();
    for (const timer of this.#claims.values()) clearTimeout(timer);
    this.#claims.clear();
    this.#release();
  }

  #post(message: CrossTabMessage): void {
    this.#channel?.postMessage(message);
  }

  #receive(data: unknown): void {
    // Another tab may run another version of the client: ignore what we do not understand.
    if (!isCrossTabMessage(data)) return;
    if (data.type === 'signed-out') return this.options.signedOut(data.reason);
    clearTimeout(this.#claims.get(data.tab));
    this.#claims.delete(data.tab);
    if (data.type === 'refresh-start') {
      const timer = setTimeout(() => {
        this.#claims.delete(data.tab);
        this.#release();
      }, this.options.claimTimeoutMs);
      this.#claims.set(data.tab, timer);
    }
    this.#release();
  }

  #othersDone(): Promise<void> {
    if (this.#claims.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #release(): void {
    if (this.#claims.size > 0) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }
}
