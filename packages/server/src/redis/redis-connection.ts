/**
 * One Redis connection as wsgate's Redis pieces need it: reconnecting with jittered backoff for
 * as long as it is open, one log line when Redis goes away and one when it is back (not one per
 * attempt), a status a health endpoint can report, and calls that fail with a clear error after
 * a bounded wait instead of queueing forever while Redis is down.
 */
import { WsgateError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { LuaScript } from './lua-script.js';
import { loadNodeRedis } from './node-redis.js';
import type { RedisClient, RedisModule } from './node-redis.js';

/**
 * `connecting` until Redis first answers; `reconnecting` while a lost connection is retried.
 *
 * @example
 * if (channelLayer.status !== 'ready') response.statusCode = 503;
 */
export type RedisStatus = 'connecting' | 'ready' | 'reconnecting' | 'closed';

/**
 * What a health endpoint reports about a Redis-backed piece.
 *
 * @example
 * app.get('/health', () => {
 *   const redis = channelLayer.health();
 *   return { status: redis.status === 'ready' ? 200 : 503, body: redis };
 * });
 */
export interface RedisHealth {
  readonly status: RedisStatus;
  /** The last connection error, kept after recovery so one can see what happened. */
  readonly lastError: string | null;
  /** When `status` last changed, in ms since the epoch. */
  readonly since: number;
  /** Failed connection attempts since Redis was last reachable (0 while ready). */
  readonly attempts: number;
}

export interface RedisConnectionOptions {
  readonly url: string;
  /** Who owns the connection, for log lines and errors (e.g. "RedisChannelLayer"). */
  readonly owner: string;
  /** Milliseconds a call waits for the connection, and then for the reply. */
  readonly commandTimeout: number;
  readonly unavailableCode: 'LAYER_UNAVAILABLE' | 'STORE_UNAVAILABLE';
  readonly closedError: () => WsgateError;
  readonly logger: Logger;
  /** CLIENT SETNAME of every connection, so `CLIENT LIST` shows whose they are. */
  readonly name: string;
}

/** Backoff between reconnection attempts: doubling from 50 ms to 2 s, with jitter. */
function reconnectDelay(retries: number): number {
  const ceiling = Math.min(2000, 50 * 2 ** Math.min(retries, 10));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

/**
 * @example
 * const connection = new RedisConnection({ url, owner: 'RedisRevocationStore', ... });
 * await connection.command(['SET', key, '1', 'PX', '60000']);
 */
export class RedisConnection {
  readonly url: string;
  readonly #options: RedisConnectionOptions;
  /** Set once node-redis has loaded (at once after the first connection of the process). */
  #client: RedisClient | undefined;
  #module: RedisModule | undefined;
  readonly #loaded: Promise<void>;
  readonly #duplicates = new Set<RedisClient>();
  readonly #waiters = new Set<() => void>();
  readonly #recoveryListeners: Array<() => void> = [];
  #status: RedisStatus = 'connecting';
  #since = Date.now();
  #attempts = 0;
  #lastError: string | null = null;

  constructor(options: RedisConnectionOptions) {
    this.#options = options;
    this.url = redactedUrl(options.owner, options.url);
    this.#loaded = loadNodeRedis().then(
      ({ module, create }) => {
        this.#module = module;
        if (this.#status === 'closed') return;
        const client = create({
          url: options.url,
          name: options.name,
          // Calls wait for the connection themselves, bounded by commandTimeout; node-redis'
          // own offline queue would hold them for as long as Redis is down.
          disableOfflineQueue: true,
          socket: { reconnectStrategy: reconnectDelay, connectTimeout: options.commandTimeout },
        });
        client.on('error', (error: Error) => this.#failed(error));
        client.on('ready', () => this.#ready());
        this.#client = client;
        // Rejects only when destroyed by close() first.
        client.connect().catch(() => undefined);
      },
      (error: unknown) => this.#failed(error as Error),
    );
  }

  health(): RedisHealth {
    return {
      status: this.#status,
      lastError: this.#lastError,
      since: this.#since,
      attempts: this.#attempts,
    };
  }

  /** Calls `listener` each time Redis answers after an outage (at startup too). */
  onRecovery(listener: () => void): void {
    this.#recoveryListeners.push(listener);
  }

  /** Runs one command, waiting at most `commandTimeout` for the connection and then the reply. */
  async command<T>(args: readonly string[]): Promise<T> {
    const client = await this.#readyClient();
    try {
      return await this.#send<T>(client, args);
    } catch (error) {
      throw this.#translate(error);
    }
  }

  /** Runs `script` (EVALSHA, or EVAL when Redis has not seen it since it started). */
  async script<T>(script: LuaScript, keys: readonly string[], args: readonly string[]): Promise<T> {
    const tail = [String(keys.length), ...keys, ...args];
    const client = await this.#readyClient();
    try {
      return await this.#send<T>(client, ['EVALSHA', script.sha1, ...tail]);
    } catch (error) {
      if (!(this.#isErrorReply(error) && error.message.startsWith('NOSCRIPT'))) {
        throw this.#translate(error);
      }
    }
    try {
      return await this.#send<T>(client, ['EVAL', script.source, ...tail]);
    } catch (error) {
      throw this.#translate(error);
    }
  }

  /**
   * Resolves once the connection is ready; rejects when it closes, when `signal` aborts, or,
   * given a `timeoutMs`, with the unavailable error after that long.
   */
  ready(timeoutMs: number | null, signal?: AbortSignal): Promise<void> {
    if (this.#status === 'closed') return Promise.reject(this.#options.closedError());
    if (this.#client?.isReady === true) return Promise.resolve();
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    return new Promise<void>((resolve, reject) => {
      const finish = (error?: Error): void => {
        clearTimeout(timer);
        this.#waiters.delete(wake);
        signal?.removeEventListener('abort', onAbort);
        if (error === undefined) resolve();
        else reject(error);
      };
      const wake = (): void => {
        finish(this.#status === 'closed' ? this.#options.closedError() : undefined);
      };
      const onAbort = (): void => finish(signal?.reason as Error);
      const timer =
        timeoutMs === null
          ? undefined
          : setTimeout(() => finish(this.#unavailable('it did not answer')), timeoutMs);
      this.#waiters.add(wake);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * Another connection to the same Redis, for blocking commands that would hold up everything
   * queued behind them. Its outages are this connection's: only this one logs them.
   */
  async duplicate(): Promise<RedisClient> {
    await this.#loaded;
    if (this.#client === undefined || this.#status === 'closed') {
      throw this.#options.closedError();
    }
    const client = this.#client.duplicate();
    client.on('error', (error: Error) => {
      this.#options.logger.debug(`${this.#options.owner}: a blocking Redis connection failed`, {
        error: error.message,
      });
    });
    client.connect().catch(() => undefined);
    this.#duplicates.add(client);
    return client;
  }

  /** Closes a connection made by `duplicate()`. */
  release(client: RedisClient): void {
    this.#duplicates.delete(client);
    client.destroy();
  }

  /** Calls in flight reject with the owner's closed error. */
  close(): void {
    if (this.#status === 'closed') return;
    this.#setStatus('closed');
    for (const wake of [...this.#waiters]) wake();
    for (const client of this.#duplicates) client.destroy();
    this.#duplicates.clear();
    this.#client?.destroy();
  }

  /** Whether `error` came from Redis being away, which is worth waiting out, not refusing. */
  isOutage(error: unknown): boolean {
    return (
      error instanceof WsgateError &&
      error.code === this.#options.unavailableCode &&
      !this.#isErrorReply(error.cause)
    );
  }

  /** The error for a call that Redis could not take: `cause` says why. */
  translate(error: unknown): WsgateError {
    return this.#translate(error);
  }

  async #readyClient(): Promise<RedisClient> {
    await this.ready(this.#options.commandTimeout);
    // ready() resolves only once the client exists and is connected.
    return this.#client as RedisClient;
  }

  #send<T>(client: RedisClient, args: readonly string[]): Promise<T> {
    return client.sendCommand<T>(args, { timeout: this.#options.commandTimeout });
  }

  #isErrorReply(error: unknown): error is Error {
    return this.#module !== undefined && error instanceof this.#module.ErrorReply;
  }

  #translate(error: unknown): WsgateError {
    if (error instanceof WsgateError) return error;
    if (this.#status === 'closed') return this.#options.closedError();
    if (this.#isErrorReply(error)) {
      return new WsgateError(
        this.#options.unavailableCode,
        `${this.#options.owner}: Redis at ${this.url} refused a command (${error.message}). ` +
          'Check that nothing else writes keys under this prefix and that Redis has memory left.',
        { cause: error },
      );
    }
    if (this.#module !== undefined && error instanceof this.#module.TimeoutError) {
      return this.#unavailable(
        `it did not answer within ${this.#options.commandTimeout} ms (the call may still take effect)`,
        error,
      );
    }
    return this.#unavailable(
      `the connection failed (${(error as Error).message}); the call may or may not have taken effect`,
      error,
    );
  }

  #unavailable(why: string, cause?: unknown): WsgateError {
    return new WsgateError(
      this.#options.unavailableCode,
      `${this.#options.owner}: Redis at ${this.url} is unavailable: ${why}. It reconnects by ` +
        'itself; check that Redis is running, or raise `commandTimeout` to wait longer.',
      { cause },
    );
  }

  #failed(error: Error): void {
    if (this.#status === 'closed') return;
    this.#lastError = error.message;
    this.#attempts += 1;
    if (this.#status === 'ready') this.#setStatus('reconnecting');
    if (this.#attempts === 1) {
      this.#options.logger.warn(
        `${this.#options.owner} cannot reach Redis at ${this.url}; retrying with backoff. ` +
          `Meanwhile its calls fail with ${this.#options.unavailableCode} after ` +
          `${this.#options.commandTimeout} ms`,
        { error: error.message },
      );
    }
  }

  #ready(): void {
    if (this.#status === 'closed') return;
    const attempts = this.#attempts;
    const downFor = Date.now() - this.#since;
    const recovered = this.#status === 'reconnecting';
    this.#attempts = 0;
    this.#setStatus('ready');
    for (const wake of [...this.#waiters]) wake();
    if (attempts === 0 && !recovered) return;
    this.#options.logger.info(
      `${this.#options.owner} reached Redis at ${this.url} again after ${attempts} connection ` +
        `error${attempts === 1 ? '' : 's'} over ${(downFor / 1000).toFixed(1)} s`,
    );
    for (const listener of this.#recoveryListeners) listener();
  }

  #setStatus(status: RedisStatus): void {
    this.#status = status;
    this.#since = Date.now();
  }
}

/** `url` without its password, for logs and error messages. */
function redactedUrl(owner: string, url: string): string {
  const parsed = URL.canParse(url) ? new URL(url) : null;
  if (parsed === null || !/^rediss?:$/.test(parsed.protocol)) {
    throw new WsgateError(
      'INVALID_OPTION',
      `${owner} option \`url\` must be a redis:// or rediss:// URL such as ` +
        `"redis://127.0.0.1:6379", got ${JSON.stringify(url)}.`,
    );
  }
  if (parsed.password !== '') parsed.password = '***';
  return parsed.toString();
}
