/* eslint-disable @typescript-eslint/require-await --
   Synchronous inside, but ChannelLayer is async (other layers do I/O); `async` also turns a
   validation throw into a rejection, as callers of a Promise API expect. */
import { randomBytes } from 'node:crypto';
import { AsyncQueue } from '../async-queue.js';
import { WsgateError } from '../errors.js';
import { defaultLogger } from '../logger.js';
import type { Logger } from '../logger.js';
import type {
  ChannelLayer,
  ChannelLayerMessage,
  ChannelLayerReceiveOptions,
} from './channel-layer.js';
import {
  assertChannelName,
  assertGroupName,
  channelFullError,
  copyLayerMessage,
} from './layer-validation.js';

/** Limits of an `InMemoryChannelLayer`, as Channels' (times in seconds). */
export interface InMemoryChannelLayerOptions {
  /** Messages a channel holds before `send` rejects with `CHANNEL_FULL`. @default 100 */
  readonly capacity?: number;
  /** Seconds a message waits for its reader before it is dropped unread. @default 60 */
  readonly expiry?: number;
  /** Seconds a group membership lasts unless `groupAdd` renews it. @default 86400 */
  readonly groupExpiry?: number;
  /** Where skipped group deliveries are reported, at debug level. @default defaultLogger */
  readonly logger?: Logger;
}

interface Entry {
  readonly expiresAt: number;
  readonly message: ChannelLayerMessage;
}

/** Handed to each pending receiver by `close()`, so none waits forever. */
const closedMarker = Symbol('closed');

interface Channel {
  readonly queue: AsyncQueue<Entry | typeof closedMarker>;
  /** Pending `receive` calls; while any waits, the queue is empty. */
  receivers: number;
  /** When the newest message was queued: once it has expired, so has every message. */
  lastSendAt: number;
}

/**
 * A channel layer inside one process: the default for a single node and for tests
 * (Channels' InMemoryChannelLayer). Messages are deep-copied on send; expired messages are
 * dropped when read, and a channel whose messages all expired unread is presumed dead and
 * removed with its group memberships. Use a Redis layer to reach consumers on other nodes.
 *
 * @example
 * const channelLayer = new InMemoryChannelLayer({ capacity: 100, expiry: 60 });
 * serve(protocolTypeRouter({ websocket: ChatConsumer.asApp({ channelLayer }) }));
 */
export class InMemoryChannelLayer implements ChannelLayer {
  readonly capacity: number;
  readonly #expiryMs: number;
  readonly #groupExpiryMs: number;
  readonly #logger: Logger;
  readonly #channels = new Map<string, Channel>();
  /** group -> channel -> when it joined (ms). */
  readonly #groups = new Map<string, Map<string, number>>();
  #nextSweepAt = 0;
  #closed = false;

  constructor(options: InMemoryChannelLayerOptions = {}) {
    const { capacity = 100, expiry = 60, groupExpiry = 86_400, logger = defaultLogger } = options;
    this.capacity = positive('capacity', capacity, Number.isInteger(capacity));
    this.#expiryMs = positive('expiry', expiry) * 1000;
    this.#groupExpiryMs = positive('groupExpiry', groupExpiry) * 1000;
    this.#logger = logger;
  }

  async send<M extends ChannelLayerMessage>(channel: string, message: M): Promise<void> {
    this.#assertOpen();
    assertChannelName(channel);
    const copy = copyLayerMessage(message);
    const now = Date.now();
    this.#sweep(now);
    if (!this.#enqueue(channel, copy, now)) {
      throw channelFullError(channel, this.capacity);
    }
  }

  async receive(
    channel: string,
    options: ChannelLayerReceiveOptions = {},
  ): Promise<ChannelLayerMessage> {
    this.#assertOpen();
    assertChannelName(channel);
    const now = Date.now();
    this.#sweep(now);
    const state = this.#channel(channel, now);
    state.receivers += 1;
    try {
      for (;;) {
        const entry = await state.queue.shift(options.signal);
        if (entry === closedMarker) throw closedError();
        if (entry.expiresAt > Date.now()) return entry.message;
      }
    } finally {
      state.receivers -= 1;
      this.#forgetIfIdle(channel, state);
    }
  }

  async newChannel(prefix = 'specific'): Promise<string> {
    this.#assertOpen();
    const name = `${prefix}.inmemory!${randomBytes(9).toString('base64url')}`;
    assertChannelName(name);
    return name;
  }

  async groupAdd(group: string, channel: string): Promise<void> {
    this.#assertOpen();
    assertGroupName(group);
    assertChannelName(channel);
    let members = this.#groups.get(group);
    if (!members) this.#groups.set(group, (members = new Map<string, number>()));
    members.set(channel, Date.now());
  }

  async groupDiscard(group: string, channel: string): Promise<void> {
    this.#assertOpen();
    assertGroupName(group);
    assertChannelName(channel);
    const members = this.#groups.get(group);
    if (!members) return;
    members.delete(channel);
    if (members.size === 0) this.#groups.delete(group);
  }

  async groupSend<M extends ChannelLayerMessage>(group: string, message: M): Promise<void> {
    this.#assertOpen();
    assertGroupName(group);
    // Copy (and so validate) once even for an empty group: bad input fails the same either way.
    const copy = copyLayerMessage(message);
    const now = Date.now();
    this.#sweep(now);
    const members = this.#groups.get(group);
    if (!members) return;
    let remaining = members.size;
    for (const [channel, joinedAt] of members) {
      remaining -= 1;
      if (joinedAt + this.#groupExpiryMs <= now) {
        members.delete(channel);
        continue;
      }
      // The last recipient can have the copy itself.
      if (!this.#enqueue(channel, remaining === 0 ? copy : structuredClone(copy), now)) {
        this.#logger.debug('groupSend skipped a full channel (delivery is at-most-once)', {
          group,
          channel,
          type: copy.type,
          capacity: this.capacity,
        });
      }
    }
    if (members.size === 0) this.#groups.delete(group);
  }

  async flush(): Promise<void> {
    this.#assertOpen();
    this.#groups.clear();
    // A channel with a pending receiver holds no messages; keep it so the receiver still gets
    // what is sent next.
    for (const [name, state] of this.#channels) {
      if (state.receivers === 0) this.#channels.delete(name);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const state of this.#channels.values()) {
      for (let i = 0; i < state.receivers; i++) state.queue.push(closedMarker);
    }
    this.#channels.clear();
    this.#groups.clear();
  }

  /** Counts for tests and metrics: live channels, groups, and messages waiting to be read. */
  stats(): { channels: number; groups: number; messages: number } {
    let messages = 0;
    for (const state of this.#channels.values()) messages += state.queue.length;
    return { channels: this.#channels.size, groups: this.#groups.size, messages };
  }

  /** False when the channel is full. */
  #enqueue(name: string, message: ChannelLayerMessage, now: number): boolean {
    let state = this.#channel(name, now);
    if (state.queue.length >= this.capacity) {
      // Nobody reads a full channel, so a fully expired one can simply be replaced.
      if (state.lastSendAt + this.#expiryMs > now) return false;
      this.#channels.delete(name);
      state = this.#channel(name, now);
    }
    state.lastSendAt = now;
    state.queue.push({ expiresAt: now + this.#expiryMs, message });
    return true;
  }

  #channel(name: string, now: number): Channel {
    let state = this.#channels.get(name);
    if (!state) {
      state = { queue: new AsyncQueue(), receivers: 0, lastSendAt: now };
      this.#channels.set(name, state);
    }
    return state;
  }

  #forgetIfIdle(name: string, state: Channel): void {
    if (state.receivers === 0 && state.queue.length === 0 && this.#channels.get(name) === state) {
      this.#channels.delete(name);
    }
  }

  /**
   * Drops channels whose messages all expired unread (their consumer is presumed gone, so they
   * leave their groups too) and expired group memberships. At most once per second, so a busy
   * layer does not walk every channel on every call.
   */
  #sweep(now: number): void {
    if (now < this.#nextSweepAt) return;
    this.#nextSweepAt = now + Math.min(1000, this.#expiryMs);
    for (const [name, state] of this.#channels) {
      if (state.queue.length > 0 && state.lastSendAt + this.#expiryMs <= now) {
        this.#channels.delete(name);
        for (const members of this.#groups.values()) members.delete(name);
      }
    }
    for (const [group, members] of this.#groups) {
      for (const [channel, joinedAt] of members) {
        if (joinedAt + this.#groupExpiryMs <= now) members.delete(channel);
      }
      if (members.size === 0) this.#groups.delete(group);
    }
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

function positive(name: string, value: number, valid = true): number {
  if (valid && Number.isFinite(value) && value > 0) return value;
  throw new WsgateError(
    'INVALID_OPTION',
    `InMemoryChannelLayer option \`${name}\` must be a positive ${name === 'capacity' ? 'integer' : 'number of seconds'}, got ${String(value)}.`,
  );
}
