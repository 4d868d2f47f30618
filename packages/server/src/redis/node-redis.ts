/**
 * node-redis as wsgate uses it: loaded on first use, with its client class built once, and a
 * wait for a dedicated connection to be ready.
 */
import type * as NodeRedisModule from '@redis/client';
import type { RedisClientOptions, RedisClientType } from '@redis/client';

export type RedisClient = RedisClientType;

export type RedisModule = typeof NodeRedisModule;

interface NodeRedis {
  readonly module: RedisModule;
  readonly create: (options: RedisClientOptions) => RedisClient;
}

let nodeRedis: Promise<NodeRedis> | undefined;

/**
 * node-redis, loaded on first use: importing it costs a few hundred ms of startup that an
 * application without Redis should not pay. Its client class is built once here, because
 * `createClient` rebuilds it (every command method, ~100 ms) whenever its options differ from
 * the previous call's, as a URL or a name per connection do.
 */
export function loadNodeRedis(): Promise<NodeRedis> {
  nodeRedis ??= import('@redis/client').then((module) => {
    const factory = module.RedisClient.factory();
    return { module, create: (options) => factory(options) };
  });
  return nodeRedis;
}

/**
 * Resolves once `client` (from `duplicate()`) is ready, or has ended (its owner checks
 * whether it closed it); rejects when `signal` aborts.
 */
export function whenReady(client: RedisClient, signal?: AbortSignal): Promise<void> {
  if (client.isReady) return Promise.resolve();
  if (signal?.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<void>((resolve, reject) => {
    const finish = (error?: Error): void => {
      client.off('ready', onReady);
      client.off('end', onReady);
      signal?.removeEventListener('abort', onAbort);
      if (error === undefined) resolve();
      else reject(error);
    };
    const onReady = (): void => finish();
    const onAbort = (): void => finish(signal?.reason as Error);
    client.on('ready', onReady);
    client.on('end', onReady);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
