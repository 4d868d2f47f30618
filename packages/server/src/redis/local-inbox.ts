/**
 * The one blocking read per RedisChannelLayer that serves all its process-local channels
 * (channels_redis' "receive buffer"). Whoever queues a message on one of this layer's channels
 * also rings the layer's inbox with the channel's name, in the same script; one BLPOP loop on
 * a dedicated connection reads the rings in batches, then pops the messages of every rung
 * channel with a receiver waiting in one script and hands them over, so a group send to a
 * thousand local consumers costs a few round trips, not a thousand. Ten thousand sockets
 * waiting on their channels thus hold two Redis connections (commands and this loop), not ten
 * thousand.
 *
 * Rings are only hints: a channel rung with nobody waiting keeps its messages in its list for
 * the next receive to pop, so capacity and expiry hold exactly; a message popped for a receive
 * cancelled meanwhile goes back to the head of its channel, so cancelling loses nothing.
 *
 * The loop also remembers channels it left empty: rings of later messages reach it only after
 * that pop's reply, so until one does, a new receive on such a channel can wait without
 * popping first.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '../logger.js';
import { channelKey } from './channel-keys.js';
import { popManyScript } from './channel-scripts.js';
import { whenReady } from './node-redis.js';
import type { RedisClient } from './node-redis.js';
import { putBack } from './put-back.js';
import type { RedisConnection } from './redis-connection.js';

/** Rings read in one go after the blocking read returns the first. */
const drainBatch = 1000;
/**
 * Channels remembered as empty, at most. Forgetting is always safe (the next receive pops
 * first); the bound keeps channels whose consumers left without a cancelled receive from
 * piling up.
 */
const knownEmptyLimit = 65_536;

/** What a waiting receiver is woken with: an entry popped for it, or null to look itself. */
type Wake = (entry: string | null) => void;

/** One channel's waiting receivers. */
export class Doorbell {
  /** Rings so far: a receiver compares it before and after a pop that found nothing. */
  rings = 0;
  watchers = 0;
  /** In the order they started waiting: the first is handed the next entry. */
  readonly #waiters = new Set<Wake>();

  /** Receivers waiting in `next()` now. */
  get waiting(): number {
    return this.#waiters.size;
  }

  /** Wakes every waiting receiver to pop for itself. */
  ring(): void {
    this.rings += 1;
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const wake of waiters) wake(null);
  }

  /** Gives `entry` to the receiver waiting longest; false if none is waiting any more. */
  hand(entry: string): boolean {
    for (const wake of this.#waiters) {
      this.#waiters.delete(wake);
      wake(entry);
      return true;
    }
    return false;
  }

  /**
   * Resolves with an entry popped for this receiver, or with null at a ring that asks it to
   * pop itself; rejects with the reason when `signal` aborts.
   */
  next(signal?: AbortSignal): Promise<string | null> {
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    return new Promise<string | null>((resolve, reject) => {
      const wake: Wake = (entry) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(entry);
      };
      const onAbort = (): void => {
        this.#waiters.delete(wake);
        reject(signal?.reason as Error);
      };
      this.#waiters.add(wake);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

export interface LocalInboxOptions {
  readonly connection: RedisConnection;
  readonly prefix: string;
  /** The inbox list's key. */
  readonly key: string;
  readonly logger: Logger;
}

/**
 * @example
 * const bell = inbox.watch(channel);
 * try {
 *   if (!inbox.knownEmpty(channel)) await popOnce();
 *   const entry = await bell.next(signal); // popped for us, or null: pop again
 * } finally { inbox.unwatch(channel, bell); }
 */
export class LocalInbox {
  readonly #connection: RedisConnection;
  readonly #prefix: string;
  readonly #key: string;
  readonly #logger: Logger;
  readonly #bells = new Map<string, Doorbell>();
  readonly #knownEmpty = new Set<string>();
  #listening = false;
  #client: RedisClient | null = null;
  #closed = false;

  constructor(options: LocalInboxOptions) {
    this.#connection = options.connection;
    this.#prefix = options.prefix;
    this.#key = options.key;
    this.#logger = options.logger;
  }

  /** Channels with a receiver waiting now. */
  get watched(): number {
    return this.#bells.size;
  }

  /** The doorbell of `channel`, listened to until `unwatch`. Starts the loop on first use. */
  watch(channel: string): Doorbell {
    if (!this.#listening && !this.#closed) {
      this.#listening = true;
      this.#listen().catch((error: unknown) => {
        // Only close() ends the loop; anything else is a bug worth seeing.
        if (!this.#closed)
          this.#logger.error('RedisChannelLayer: the receive loop stopped', { error });
      });
    }
    let bell = this.#bells.get(channel);
    if (bell === undefined) {
      bell = new Doorbell();
      this.#bells.set(channel, bell);
    }
    bell.watchers += 1;
    return bell;
  }

  unwatch(channel: string, bell: Doorbell): void {
    bell.watchers -= 1;
    if (bell.watchers === 0 && this.#bells.get(channel) === bell) this.#bells.delete(channel);
  }

  /**
   * Whether the loop left `channel` empty and has read no ring for it since, so a receive can
   * wait for the next ring without popping first.
   */
  knownEmpty(channel: string): boolean {
    return this.#knownEmpty.has(channel);
  }

  /** Stops vouching for `channel` (its receive was cancelled: its consumer may be gone). */
  forget(channel: string): void {
    this.#knownEmpty.delete(channel);
  }

  /** Wakes every waiting receiver to look at its channel again. */
  ringAll(): void {
    this.#knownEmpty.clear();
    for (const bell of [...this.#bells.values()]) bell.ring();
  }

  /** Ends the loop; waiting receivers wake (and find the layer closed). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#client !== null) this.#connection.release(this.#client);
    this.ringAll();
  }

  async #listen(): Promise<void> {
    const client = await this.#connection.duplicate();
    if (this.#closed) {
      this.#connection.release(client);
      return;
    }
    this.#client = client;
    let lost = false;
    while (!this.#closed) {
      try {
        await whenReady(client);
        if (this.#closed) return;
        // Rings popped just before a connection dropped died with their replies.
        if (lost) this.ringAll();
        lost = false;
        const first = await client.sendCommand<[string, string] | null>(['BLPOP', this.#key, '0']);
        const rest = await client.sendCommand<string[] | null>([
          'LPOP',
          this.#key,
          String(drainBatch),
        ]);
        const rung = new Map<string, number>();
        for (const channel of [...(first === null ? [] : [first[1]]), ...(rest ?? [])]) {
          rung.set(channel, (rung.get(channel) ?? 0) + 1);
        }
        // Awaited: rings read after this reply are of messages queued after its pops.
        await this.#deliver(rung);
      } catch (error) {
        // node-redis reconnects a lost connection by itself, and the outage is logged once by
        // the layer's main connection. An error reply on a live one is something else.
        lost = true;
        if (client.isReady && !this.#closed) {
          this.#logger.error('RedisChannelLayer: the receive loop failed; retrying in 1 s', {
            error: error instanceof Error ? error.message : error,
          });
          await delay(1000, undefined, { ref: false });
        }
      }
    }
  }

  /**
   * Pops, in one script, an entry per ring for each rung channel's waiting receivers (no more
   * than are waiting) and hands them over; channels nobody waits on keep their messages.
   */
  async #deliver(rung: ReadonlyMap<string, number>): Promise<void> {
    const wanted: Array<[string, number]> = [];
    for (const [channel, count] of rung) {
      this.#knownEmpty.delete(channel);
      const bell = this.#bells.get(channel);
      if (bell === undefined) continue;
      // Tells a receiver whose own pop is in flight to pop again if it finds nothing.
      bell.rings += count;
      if (bell.waiting > 0) wanted.push([channel, Math.min(count, bell.waiting)]);
    }
    if (wanted.length === 0) return;
    let popped: Array<[number, string[]]>;
    try {
      popped = await this.#connection.script<Array<[number, string[]]>>(
        popManyScript,
        wanted.map(([channel]) => channelKey(this.#prefix, channel)),
        [String(Date.now()), ...wanted.map(([, count]) => String(count))],
      );
    } catch (error) {
      if (!this.#connection.isOutage(error) && !this.#closed) {
        this.#logger.error('RedisChannelLayer: a batched pop failed; receivers pop themselves', {
          error: error instanceof Error ? error.message : error,
        });
      }
      // Whatever the script did, the waiting receivers look for themselves.
      for (const [channel] of wanted) this.#bells.get(channel)?.ring();
      return;
    }
    if (this.#knownEmpty.size + wanted.length > knownEmptyLimit) this.#knownEmpty.clear();
    const leftOver: Array<[string, string[]]> = [];
    wanted.forEach(([channel], index) => {
      const [left, entries] = popped[index] ?? [1, []];
      const bell = this.#bells.get(channel);
      const unclaimed = entries.filter((entry) => bell?.hand(entry) !== true);
      if (unclaimed.length > 0) leftOver.push([channel, unclaimed]);
      else if (left === 0) this.#knownEmpty.add(channel);
    });
    for (const [channel, entries] of leftOver) void this.#putBack(channel, entries);
  }

  /** Entries popped for receives cancelled meanwhile, back at the head in their order. */
  async #putBack(channel: string, entries: readonly string[]): Promise<void> {
    const target = { connection: this.#connection, prefix: this.#prefix, logger: this.#logger };
    for (const entry of [...entries].reverse()) await putBack(target, channel, entry);
  }
}
