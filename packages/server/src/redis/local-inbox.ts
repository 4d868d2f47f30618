/**
 * The one blocking read per RedisChannelLayer that serves all its process-local channels
 * (channels_redis' "receive buffer"). Whoever queues a message on one of this layer's channels
 * also rings the layer's inbox with the channel's name, in the same script; one BLPOP loop on
 * a dedicated connection reads the rings and wakes that channel's receivers, which pop the
 * message with an ordinary command. Ten thousand sockets waiting on their channels thus hold
 * two Redis connections (commands and this loop), not ten thousand.
 *
 * Rings are only hints: messages stay in their channel's list until a receiver pops them, so
 * capacity and expiry hold exactly, and a cancelled receive loses nothing.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '../logger.js';
import { whenReady } from './node-redis.js';
import type { RedisClient } from './node-redis.js';
import type { RedisConnection } from './redis-connection.js';

/** Rings read in one go after the blocking read returns the first. */
const drainBatch = 1000;

/** One channel's waiting receivers. */
export class Doorbell {
  /** Rings so far: a receiver compares it before and after a pop that found nothing. */
  rings = 0;
  watchers = 0;
  #waiters = new Set<() => void>();

  ring(): void {
    this.rings += 1;
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const wake of waiters) wake();
  }

  /** Resolves at the next ring; rejects with the reason when `signal` aborts. */
  next(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    return new Promise<void>((resolve, reject) => {
      const wake = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
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

/**
 * @example
 * const bell = inbox.watch(channel);
 * try { while (!(await popOnce())) await bell.next(signal); }
 * finally { inbox.unwatch(channel, bell); }
 */
export class LocalInbox {
  readonly #connection: RedisConnection;
  readonly #key: string;
  readonly #logger: Logger;
  readonly #bells = new Map<string, Doorbell>();
  #listening = false;
  #client: RedisClient | null = null;
  #closed = false;

  constructor(connection: RedisConnection, key: string, logger: Logger) {
    this.#connection = connection;
    this.#key = key;
    this.#logger = logger;
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

  /** Wakes every waiting receiver to look at its channel again. */
  ringAll(): void {
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
        // Rings popped just before a connection dropped died with its replies.
        if (lost) this.ringAll();
        lost = false;
        const first = await client.sendCommand<[string, string] | null>(['BLPOP', this.#key, '0']);
        if (first !== null) this.#ring(first[1]);
        const rest = await client.sendCommand<string[] | null>([
          'LPOP',
          this.#key,
          String(drainBatch),
        ]);
        for (const channel of rest ?? []) this.#ring(channel);
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

  #ring(channel: string): void {
    this.#bells.get(channel)?.ring();
  }
}
