import { randomBytes } from 'node:crypto';
import { WsgateError } from '../errors.js';
import type {
  ChannelLayer,
  ChannelLayerMessage,
  ChannelLayerReceiveOptions,
} from '../layers/channel-layer.js';
import {
  assertChannelName,
  assertGroupName,
  channelFullError,
  copyLayerMessage,
} from '../layers/layer-validation.js';
import { checkLimit } from '../limits/check-limit.js';
import { defaultLogger } from '../logger.js';
import type { Logger } from '../logger.js';
import { encodeEntry } from './channel-entry.js';
import { groupKey, ownerOf, pushKeys } from './channel-keys.js';
import { ChannelReceiver } from './channel-receiver.js';
import { groupAddScript, groupSendScript, sendScript } from './channel-scripts.js';
import { GroupMemberships } from './group-memberships.js';
import { RedisConnection } from './redis-connection.js';
import { checkPrefix } from './redis-options.js';
import type { RedisHealth, RedisStatus } from './redis-connection.js';

/**
 * Where a RedisChannelLayer keeps its messages, and their limits (times in seconds).
 *
 * @example
 * new RedisChannelLayer({ url: 'redis://:secret@redis.internal:6379', prefix: 'chat', capacity: 500 });
 */
export interface RedisChannelLayerOptions {
  /** The Redis server (`redis://[[user]:password@]host:port[/db]`, or `rediss://` for TLS). @default 'redis://127.0.0.1:6379' */
  readonly url?: string;
  /** Starts every key the layer writes, so applications can share a Redis. @default 'wsgate' */
  readonly prefix?: string;
  /** Messages a channel holds before `send` rejects with `CHANNEL_FULL`. @default 100 */
  readonly capacity?: number;
  /** Seconds a message waits for its reader before it is dropped unread. @default 60 */
  readonly expiry?: number;
  /** Seconds a group membership lasts unless `groupAdd` renews it. @default 86400 */
  readonly groupExpiry?: number;
  /**
   * Milliseconds a call waits for Redis (to reconnect, then to answer) before it rejects with
   * `LAYER_UNAVAILABLE`. Receives are not bounded: they wait through an outage. @default 5000
   */
  readonly commandTimeout?: number;
  /** Where outages and skipped group deliveries are reported. @default defaultLogger */
  readonly logger?: Logger;
}

/**
 * A channel layer on Redis, for several processes or nodes (Channels' channels_redis): the
 * same contract as InMemoryChannelLayer, with messages in per-channel lists, groups in sorted
 * sets scored by join time, and a group send in one Lua script. Delivery is at-most-once: a
 * full channel refuses `send` and is skipped by `groupSend`; expired messages are dropped.
 *
 * Consumers' channels (`newChannel()`) are served by one blocking read per layer, not one per
 * socket. While Redis is away the layer reconnects with backoff, logs the outage once, fails
 * sends with `LAYER_UNAVAILABLE` after `commandTimeout`, keeps receives waiting, and on return
 * writes back the group memberships of its channels. Needs Redis 6.2 or later, not Cluster.
 *
 * @example
 * const channelLayer = new RedisChannelLayer({ url: process.env.REDIS_URL });
 * serve(protocolTypeRouter({ websocket: ChatConsumer.asApp({ channelLayer }) }));
 * // health endpoint: channelLayer.health() -> { status: 'ready', lastError: null, ... }
 */
export class RedisChannelLayer implements ChannelLayer {
  readonly capacity: number;
  readonly prefix: string;
  readonly #expiryMs: number;
  readonly #groupExpiryMs: number;
  readonly #logger: Logger;
  /** Names this instance's channels and its inbox: one "process" in channels_redis' terms. */
  readonly #processId = randomBytes(9).toString('base64url');
  readonly #connection: RedisConnection;
  readonly #receiver: ChannelReceiver;
  readonly #memberships = new GroupMemberships();
  #closed = false;

  constructor(options: RedisChannelLayerOptions = {}) {
    const where = 'RedisChannelLayer';
    const { url = 'redis://127.0.0.1:6379', prefix = 'wsgate', logger = defaultLogger } = options;
    this.capacity = checkLimit(where, 'capacity', options.capacity ?? 100, { integer: true });
    this.#expiryMs = Math.ceil(checkLimit(where, 'expiry', options.expiry ?? 60) * 1000);
    this.#groupExpiryMs = Math.ceil(
      checkLimit(where, 'groupExpiry', options.groupExpiry ?? 86_400) * 1000,
    );
    const commandTimeout = checkLimit(where, 'commandTimeout', options.commandTimeout ?? 5000);
    this.prefix = checkPrefix(where, prefix);
    this.#logger = logger;
    this.#connection = new RedisConnection({
      url,
      owner: where,
      commandTimeout,
      unavailableCode: 'LAYER_UNAVAILABLE',
      closedError,
      logger,
      name: `wsgate-layer-${this.#processId}`,
    });
    this.#receiver = new ChannelReceiver({
      connection: this.#connection,
      prefix: this.prefix,
      processId: this.#processId,
      logger,
      closedError,
    });
    this.#connection.onRecovery(() => {
      // Rings sent while the loop was away are lost, and the memberships may be too.
      this.#receiver.recheck();
      void this.#restoreMemberships();
    });
  }

  /** `ready`, `connecting`, `reconnecting` (Redis unreachable) or `closed`. */
  get status(): RedisStatus {
    return this.#connection.health().status;
  }

  /** The connection's state for a health endpoint, with the last error and outage length. */
  health(): RedisHealth {
    return this.#connection.health();
  }

  async send<M extends ChannelLayerMessage>(channel: string, message: M): Promise<void> {
    this.#assertOpen();
    assertChannelName(channel);
    const now = Date.now();
    const entry = encodeEntry(copyLayerMessage(message), now + this.#expiryMs);
    const queued = await this.#connection.script<number>(
      sendScript,
      pushKeys(this.prefix, channel),
      [entry, String(this.capacity), String(now), String(this.#expiryMs), channel],
    );
    if (queued === 0) {
      throw channelFullError(channel, this.capacity);
    }
  }

  async receive(
    channel: string,
    options: ChannelLayerReceiveOptions = {},
  ): Promise<ChannelLayerMessage> {
    this.#assertOpen();
    assertChannelName(channel);
    return this.#receiver.receive(channel, options.signal);
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- async turns a throw into a rejection
  async newChannel(prefix = 'specific'): Promise<string> {
    this.#assertOpen();
    const name = `${prefix}.${this.#processId}!${randomBytes(9).toString('base64url')}`;
    assertChannelName(name);
    return name;
  }

  async groupAdd(group: string, channel: string): Promise<void> {
    this.#assertOpen();
    assertGroupName(group);
    assertChannelName(channel);
    const now = Date.now();
    // Remembered before the write, so a membership Redis misses now is written on its return.
    if (ownerOf(channel) === this.#processId) this.#memberships.add(group, channel, now);
    await this.#connection.script(
      groupAddScript,
      [groupKey(this.prefix, group)],
      [String(this.#groupExpiryMs), String(now), channel],
    );
  }

  async groupDiscard(group: string, channel: string): Promise<void> {
    this.#assertOpen();
    assertGroupName(group);
    assertChannelName(channel);
    this.#memberships.discard(group, channel);
    try {
      await this.#connection.command(['ZREM', groupKey(this.prefix, group), channel]);
    } catch (error) {
      if (this.#connection.isOutage(error)) this.#memberships.discardLater(group, channel);
      throw error;
    }
  }

  async groupSend<M extends ChannelLayerMessage>(group: string, message: M): Promise<void> {
    this.#assertOpen();
    assertGroupName(group);
    const copy = copyLayerMessage(message);
    const now = Date.now();
    const skipped = await this.#connection.script<string[]>(
      groupSendScript,
      [groupKey(this.prefix, group)],
      [
        encodeEntry(copy, now + this.#expiryMs),
        String(this.capacity),
        String(now),
        String(this.#expiryMs),
        String(this.#groupExpiryMs),
        this.prefix,
      ],
    );
    for (const channel of skipped) {
      this.#logger.debug('groupSend skipped a full channel (delivery is at-most-once)', {
        group,
        channel,
        type: copy.type,
        capacity: this.capacity,
      });
    }
  }

  /** Deletes every channel, group and inbox under the prefix, on every node sharing it. */
  async flush(): Promise<void> {
    this.#assertOpen();
    this.#memberships.clear();
    for (const kind of ['channel', 'group', 'inbox']) {
      let cursor = '0';
      do {
        const [next, keys] = await this.#connection.command<[string, string[]]>([
          'SCAN',
          cursor,
          'MATCH',
          `${this.prefix}:${kind}:*`,
          'COUNT',
          '1000',
        ]);
        if (keys.length > 0) await this.#connection.command(['UNLINK', ...keys]);
        cursor = next;
      } while (cursor !== '0');
    }
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- the interface's close is async
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#receiver.close();
    this.#connection.close();
  }

  /** Counts for tests and metrics: channels with a waiting receiver, memberships kept. */
  stats(): { watchedChannels: number; memberships: number } {
    return { watchedChannels: this.#receiver.watched, memberships: this.#memberships.size };
  }

  async #restoreMemberships(): Promise<void> {
    const live = this.#memberships.live(Date.now(), this.#groupExpiryMs);
    const discards = this.#memberships.takePendingDiscards();
    let restored = 0;
    let failed = 0;
    await Promise.all([
      ...[...live].map(async ([group, pairs]) => {
        const args = pairs.flatMap(([joinedAt, channel]) => [String(joinedAt), channel]);
        try {
          await this.#connection.script(
            groupAddScript,
            [groupKey(this.prefix, group)],
            [String(this.#groupExpiryMs), ...args],
          );
          restored += pairs.length;
        } catch {
          failed += pairs.length;
        }
      }),
      ...discards.map(async ([group, channels]) => {
        try {
          await this.#connection.command(['ZREM', groupKey(this.prefix, group), ...channels]);
        } catch {
          for (const channel of channels) this.#memberships.discardLater(group, channel);
        }
      }),
    ]);
    if (restored + failed === 0) return;
    // Kept in memory either way: a failure is retried on the next recovery.
    this.#logger.info('RedisChannelLayer wrote back the group memberships of its channels', {
      restored,
      failed,
    });
  }

  #assertOpen(): void {
    if (this.#closed) throw closedError();
  }
}

function closedError(): WsgateError {
  return new WsgateError(
    'LAYER_CLOSED',
    'the channel layer was closed; create a new one (close() is for shutdown).',
  );
}
