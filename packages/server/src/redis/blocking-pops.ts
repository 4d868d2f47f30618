/**
 * Receives on channels that are not the layer's own process-local ones (named channels such as
 * "thumbnails", or another instance's): a BLPOP on a connection per waiting receive, from a
 * small pool, as channels_redis does for its normal channels. Consumers never use these (they
 * receive on `newChannel()` names, served by the LocalInbox), so the count stays with the
 * worker-style receives an application makes itself.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { WsgateError } from '../errors.js';
import { whenReady } from './node-redis.js';
import type { RedisClient } from './node-redis.js';
import type { RedisConnection } from './redis-connection.js';

/**
 * A cancelled BLPOP is ended with CLIENT UNBLOCK; this bounds the rare case where the unblock
 * reaches Redis before the BLPOP does.
 */
const blockSeconds = 5;
/** Connections kept open for the next receive. */
const maxIdle = 4;

/**
 * @example
 * const entry = await pops.pop('wsgate:channel:thumbnails', signal);
 */
export class BlockingPops {
  readonly #connection: RedisConnection;
  readonly #closedError: () => WsgateError;
  readonly #idle: RedisClient[] = [];
  #closed = false;

  constructor(connection: RedisConnection, closedError: () => WsgateError) {
    this.#connection = connection;
    this.#closedError = closedError;
  }

  /**
   * The next entry of the list at `key`, waiting through Redis outages. Rejects with the
   * signal's reason or the closed error; an entry popped just as `signal` aborts is still
   * returned, for the caller to put back.
   */
  async pop(key: string, signal?: AbortSignal): Promise<string> {
    const client = this.#idle.pop() ?? (await this.#connection.duplicate());
    try {
      for (;;) {
        if (this.#closed) throw this.#closedError();
        signal?.throwIfAborted();
        await whenReady(client, signal);
        if (this.#closed) throw this.#closedError();
        const reply = await this.#blockingPop(client, key, signal);
        if (reply) return reply[1];
      }
    } finally {
      if (!this.#closed && client.isReady && this.#idle.length < maxIdle) this.#idle.push(client);
      else this.#connection.release(client);
    }
  }

  close(): void {
    this.#closed = true;
    for (const client of this.#idle.splice(0)) this.#connection.release(client);
  }

  /** The BLPOP reply; null when it timed out, was unblocked, or lost its connection. */
  async #blockingPop(
    client: RedisClient,
    key: string,
    signal: AbortSignal | undefined,
  ): Promise<[string, string] | null> {
    // Sent together: the id comes back at once, before the BLPOP blocks.
    const id = client.sendCommand<number>(['CLIENT', 'ID']);
    const popping = client.sendCommand<[string, string] | null>([
      'BLPOP',
      key,
      String(blockSeconds),
    ]);
    let settled = false;
    const onAbort = (): void => void this.#unblock(id, () => settled);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await popping;
    } catch (error) {
      // A lost connection is waited for; an error reply on a live one is the caller's to see.
      if (client.isReady && !this.#closed) throw this.#connection.translate(error);
      return null;
    } finally {
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      id.catch(() => undefined);
    }
  }

  async #unblock(id: Promise<number>, settled: () => boolean): Promise<void> {
    try {
      const clientId = String(await id);
      for (let attempt = 0; attempt < 10 && !settled(); attempt++) {
        const unblocked = await this.#connection.command<number>([
          'CLIENT',
          'UNBLOCK',
          clientId,
          'TIMEOUT',
        ]);
        if (unblocked === 1) return;
        await delay(10, undefined, { ref: false });
      }
    } catch {
      // Redis is away: the BLPOP ends with its connection, or by its timeout.
    }
  }
}
