/**
 * How a RedisChannelLayer waits for messages: on its own channels through the LocalInbox's one
 * loop, on any other channel through a blocking pop of its own. Either way an expired entry is
 * skipped, and an entry popped for a receive that was cancelled meanwhile goes back to the head
 * of its channel, so cancelling never loses a message another receive could have had.
 */
import type { WsgateError } from '../errors.js';
import type { ChannelLayerMessage } from '../layers/channel-layer.js';
import type { Logger } from '../logger.js';
import { BlockingPops } from './blocking-pops.js';
import { decodeEntry } from './channel-entry.js';
import { channelKey, inboxKey, ownerOf } from './channel-keys.js';
import { popScript } from './channel-scripts.js';
import { LocalInbox } from './local-inbox.js';
import { putBack } from './put-back.js';
import type { RedisConnection } from './redis-connection.js';

export interface ChannelReceiverOptions {
  readonly connection: RedisConnection;
  readonly prefix: string;
  /** The layer instance's id, which its `newChannel()` names carry. */
  readonly processId: string;
  readonly logger: Logger;
  readonly closedError: () => WsgateError;
}

/**
 * @example
 * const receiver = new ChannelReceiver({ connection, prefix, processId, logger, closedError });
 * const message = await receiver.receive(channel, signal);
 */
export class ChannelReceiver {
  readonly #connection: RedisConnection;
  readonly #prefix: string;
  readonly #processId: string;
  readonly #logger: Logger;
  readonly #closedError: () => WsgateError;
  readonly #inbox: LocalInbox;
  readonly #pops: BlockingPops;
  #closed = false;

  constructor(options: ChannelReceiverOptions) {
    this.#connection = options.connection;
    this.#prefix = options.prefix;
    this.#processId = options.processId;
    this.#logger = options.logger;
    this.#closedError = options.closedError;
    this.#inbox = new LocalInbox({
      connection: options.connection,
      prefix: options.prefix,
      key: inboxKey(options.prefix, options.processId),
      logger: options.logger,
    });
    this.#pops = new BlockingPops(options.connection, options.closedError);
  }

  /** Channels with a receiver waiting on the inbox now. */
  get watched(): number {
    return this.#inbox.watched;
  }

  /** The next live message on `channel`, waiting through Redis outages. */
  receive(channel: string, signal?: AbortSignal): Promise<ChannelLayerMessage> {
    return ownerOf(channel) === this.#processId
      ? this.#receiveLocal(channel, signal)
      : this.#receiveElsewhere(channel, signal);
  }

  /** Makes every waiting receive look at its channel again (rings may have been lost). */
  recheck(): void {
    this.#inbox.ringAll();
  }

  /** Waiting receives reject with the closed error. */
  close(): void {
    this.#closed = true;
    this.#pops.close();
    this.#inbox.close();
  }

  /**
   * This instance's channels: pop (unless the inbox's loop left the channel empty), then wait
   * for the loop to hand over an entry, or to ring for a pop of our own.
   */
  async #receiveLocal(channel: string, signal?: AbortSignal): Promise<ChannelLayerMessage> {
    const bell = this.#inbox.watch(channel);
    try {
      let pop = !this.#inbox.knownEmpty(channel);
      for (;;) {
        const rings = bell.rings;
        if (pop) {
          const message = await this.#popLocal(channel, signal);
          if (message !== null) return message;
        }
        pop = true;
        if (bell.rings === rings) {
          const entry = await bell.next(signal);
          if (this.#closed) throw this.#closedError();
          if (entry !== null) {
            const message = await this.#accept(channel, entry, signal);
            if (message !== null) return message;
          }
        }
        if (this.#closed) throw this.#closedError();
      }
    } catch (error) {
      this.#inbox.forget(channel);
      throw error;
    } finally {
      this.#inbox.unwatch(channel, bell);
    }
  }

  /** The oldest live message on `channel`, or null if none is queued. */
  async #popLocal(channel: string, signal?: AbortSignal): Promise<ChannelLayerMessage | null> {
    for (;;) {
      await this.#connection.ready(null, signal);
      let entry: string | null;
      try {
        entry = await this.#connection.script<string | null>(
          popScript,
          [channelKey(this.#prefix, channel)],
          [String(Date.now())],
        );
      } catch (error) {
        if (this.#connection.isOutage(error)) continue;
        throw error;
      }
      if (entry === null) return null;
      const message = await this.#accept(channel, entry, signal);
      if (message !== null) return message;
    }
  }

  /** Anything else (named channels, other instances'): a blocking pop of its own. */
  async #receiveElsewhere(channel: string, signal?: AbortSignal): Promise<ChannelLayerMessage> {
    for (;;) {
      const entry = await this.#pops.pop(channelKey(this.#prefix, channel), signal);
      const message = await this.#accept(channel, entry, signal);
      if (message !== null) return message;
    }
  }

  /**
   * The message in a popped entry; null if it expired or is unreadable. If `signal` aborted
   * meanwhile, the entry goes back to the head of its channel and the receive rejects.
   */
  async #accept(
    channel: string,
    entry: string,
    signal: AbortSignal | undefined,
  ): Promise<ChannelLayerMessage | null> {
    const decoded = decodeEntry(entry);
    if (decoded === null) {
      this.#logger.error(
        'RedisChannelLayer dropped an unreadable entry; is another program writing under its prefix?',
        { channel, entry: entry.slice(0, 200) },
      );
      return null;
    }
    if (decoded.expiresAt <= Date.now()) return null;
    if (!signal?.aborted) return decoded.message;
    const target = { connection: this.#connection, prefix: this.#prefix, logger: this.#logger };
    await putBack(target, channel, entry);
    throw signal.reason;
  }
}
