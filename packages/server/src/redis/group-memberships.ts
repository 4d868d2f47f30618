/**
 * The group memberships of a RedisChannelLayer's own channels, remembered in the process so
 * they can be written again when Redis comes back empty (a restart without persistence) or
 * missed a change during an outage. Only process-local channels are kept: their consumers live
 * here, while a named channel's membership belongs to whoever reads it.
 */
export class GroupMemberships {
  /** group -> channel -> join time (ms). */
  readonly #joined = new Map<string, Map<string, number>>();
  /** Discards that failed while Redis was away, to apply when it returns. */
  readonly #pendingDiscards = new Map<string, Set<string>>();

  /** Memberships remembered (for tests and metrics). */
  get size(): number {
    let size = 0;
    for (const channels of this.#joined.values()) size += channels.size;
    return size;
  }

  add(group: string, channel: string, joinedAt: number): void {
    let channels = this.#joined.get(group);
    if (channels === undefined) this.#joined.set(group, (channels = new Map<string, number>()));
    channels.set(channel, joinedAt);
    this.#pendingDiscards.get(group)?.delete(channel);
  }

  discard(group: string, channel: string): void {
    const channels = this.#joined.get(group);
    if (channels === undefined) return;
    channels.delete(channel);
    if (channels.size === 0) this.#joined.delete(group);
  }

  /** Remembers a discard Redis did not take, so `takePendingDiscards` retries it. */
  discardLater(group: string, channel: string): void {
    let channels = this.#pendingDiscards.get(group);
    if (channels === undefined) this.#pendingDiscards.set(group, (channels = new Set<string>()));
    channels.add(channel);
  }

  clear(): void {
    this.#joined.clear();
    this.#pendingDiscards.clear();
  }

  /**
   * Memberships younger than `groupExpiryMs`, as `[joinedAt, channel]` pairs per group;
   * older ones are forgotten, as Redis forgets them.
   */
  live(now: number, groupExpiryMs: number): Map<string, Array<[number, string]>> {
    const live = new Map<string, Array<[number, string]>>();
    for (const [group, channels] of this.#joined) {
      const pairs: Array<[number, string]> = [];
      for (const [channel, joinedAt] of channels) {
        if (joinedAt + groupExpiryMs <= now) channels.delete(channel);
        else pairs.push([joinedAt, channel]);
      }
      if (pairs.length > 0) live.set(group, pairs);
      else this.#joined.delete(group);
    }
    return live;
  }

  takePendingDiscards(): Array<[string, string[]]> {
    const pending = [...this.#pendingDiscards].map(([group, channels]): [string, string[]] => [
      group,
      [...channels],
    ]);
    this.#pendingDiscards.clear();
    return pending;
  }
}
