/**
 * Where RedisChannelLayer keeps things in Redis (the layout is described in
 * channel-scripts.ts, whose Lua builds the same names).
 */

export function channelKey(prefix: string, channel: string): string {
  return `${prefix}:channel:${channel}`;
}

export function groupKey(prefix: string, group: string): string {
  return `${prefix}:group:${group}`;
}

export function inboxKey(prefix: string, processId: string): string {
  return `${prefix}:inbox:${processId}`;
}

/**
 * The layer instance that made a `newChannel()` name (`<prefix>.<process>!<random>`), or null;
 * the Lua scripts match `%.([^.!]+)!` the same way.
 */
export function ownerOf(channel: string): string | null {
  return /\.([^.!]+)!/.exec(channel)?.[1] ?? null;
}

/** The keys a push to `channel` writes: its list, and the inbox to ring if it has an owner. */
export function pushKeys(prefix: string, channel: string): string[] {
  const owner = ownerOf(channel);
  const key = channelKey(prefix, channel);
  return owner === null ? [key] : [key, inboxKey(prefix, owner)];
}
