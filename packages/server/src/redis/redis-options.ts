import { WsgateError } from '../errors.js';
import { checkLimit } from '../limits/check-limit.js';
import { defaultLogger } from '../logger.js';
import type { Logger } from '../logger.js';
import { RedisConnection } from './redis-connection.js';

/**
 * Where a Redis-backed store keeps its keys. Each store opens one connection of its own.
 *
 * @example
 * new RedisRevocationStore({ url: process.env.REDIS_URL, prefix: 'myapp' });
 */
export interface RedisStoreOptions {
  /** The Redis server (`redis://[[user]:password@]host:port[/db]`, or `rediss://`). @default 'redis://127.0.0.1:6379' */
  readonly url?: string;
  /** Starts every key the store writes, so applications can share a Redis. @default 'wsgate' */
  readonly prefix?: string;
  /**
   * Milliseconds a call waits for Redis (to reconnect, then to answer) before it rejects
   * with `STORE_UNAVAILABLE`. @default 5000
   */
  readonly commandTimeout?: number;
  /** Where outages are reported. @default defaultLogger */
  readonly logger?: Logger;
}

/**
 * `prefix` if it can start Redis keys safely: no spaces, and no glob characters, since
 * `flush` finds keys with SCAN MATCH `<prefix>:...`.
 */
export function checkPrefix(owner: string, prefix: unknown): string {
  if (typeof prefix === 'string' && /^[A-Za-z0-9_.:-]{1,64}$/.test(prefix)) return prefix;
  throw new WsgateError(
    'INVALID_OPTION',
    `${owner} option \`prefix\` must be 1 to 64 ASCII letters, digits, "_", ".", ":" or ` +
      `"-", got ${JSON.stringify(prefix)}.`,
  );
}

/** The checked prefix and a connection for the store named `owner`. */
export function openStore(
  owner: string,
  options: RedisStoreOptions,
): { prefix: string; connection: RedisConnection } {
  const { url = 'redis://127.0.0.1:6379', logger = defaultLogger } = options;
  const prefix = checkPrefix(owner, options.prefix ?? 'wsgate');
  const commandTimeout = checkLimit(owner, 'commandTimeout', options.commandTimeout ?? 5000);
  const connection = new RedisConnection({
    url,
    owner,
    commandTimeout,
    unavailableCode: 'STORE_UNAVAILABLE',
    closedError: () =>
      new WsgateError('STORE_UNAVAILABLE', `the ${owner} was closed; create a new one.`),
    logger,
    name: `wsgate-${owner}`,
  });
  return { prefix, connection };
}
