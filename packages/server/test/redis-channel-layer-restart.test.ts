/**
 * A Redis restart under a running RedisChannelLayer, on a redis-server of the test's own (the
 * shared one on 6379 is never touched): the outage is logged once, sends fail fast with
 * LAYER_UNAVAILABLE, a receive keeps waiting, and once Redis is back (empty) the consumer's
 * group membership is written again, so a group send from another node reaches it.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RedisChannelLayer } from '../src/redis/redis-channel-layer.js';
import {
  quiet,
  recordingLogger,
  requirePrivateRedis,
  startPrivateRedis,
} from './redis-fixtures.js';
import type { PrivateRedis } from './redis-fixtures.js';

const hasRedisServer = requirePrivateRedis('the Redis restart tests');

describe.skipIf(!hasRedisServer)('RedisChannelLayer across a Redis restart', () => {
  let redis: PrivateRedis | undefined;
  const layers: RedisChannelLayer[] = [];

  afterEach(async () => {
    for (const layer of layers.splice(0)) await layer.close();
    await redis?.stop();
  });

  it('logs the outage once, fails sends fast, and restores group memberships', async () => {
    redis = await startPrivateRedis();
    const logger = recordingLogger();
    const nodeA = new RedisChannelLayer({ url: redis.url, commandTimeout: 300, logger });
    const nodeB = new RedisChannelLayer({ url: redis.url, logger: quiet });
    layers.push(nodeA, nodeB);
    // Its short commandTimeout also bounds the first connection, slow on a loaded machine.
    await vi.waitFor(() => expect(nodeA.status).toBe('ready'), { timeout: 5000, interval: 20 });
    const inbox = await nodeA.newChannel();
    await nodeA.groupAdd('room', inbox);
    await nodeB.groupSend('room', { type: 'before' });
    expect((await nodeA.receive(inbox)).type).toBe('before');
    const waiting = nodeA.receive(inbox);

    await redis.stop();
    await logger.waitFor('warn', /cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+/);
    expect(nodeA.health()).toMatchObject({ status: 'reconnecting', lastError: expect.any(String) });
    await expect(nodeA.send('elsewhere', { type: 'lost' })).rejects.toMatchObject({
      code: 'LAYER_UNAVAILABLE',
      message: expect.stringMatching(/unavailable.*reconnects by itself/),
    });
    await expect(nodeA.groupSend('room', { type: 'lost' })).rejects.toMatchObject({
      code: 'LAYER_UNAVAILABLE',
    });

    await redis.start();
    await logger.waitFor('info', /wrote back the group memberships/);
    expect(nodeA.health()).toMatchObject({ status: 'ready', attempts: 0 });
    await nodeB.groupSend('room', { type: 'after' });
    expect((await waiting).type).toBe('after');

    const outage = logger.lines.filter((line) => line.level === 'warn');
    expect(outage).toHaveLength(1);
    const recovery = logger.lines.filter((line) => /reached Redis/.test(line.message));
    expect(recovery).toHaveLength(1);
    expect(recovery[0]?.message).toMatch(/again after \d+ connection errors? over \d+\.\d s/);
  });

  it('waits for Redis at startup and applies what was asked meanwhile', async () => {
    redis = await startPrivateRedis();
    await redis.stop();
    const logger = recordingLogger();
    const layer = new RedisChannelLayer({ url: redis.url, commandTimeout: 1000, logger });
    layers.push(layer);
    const inbox = await layer.newChannel();
    const receiving = layer.receive(inbox);
    await expect(layer.groupAdd('room', inbox)).rejects.toMatchObject({
      code: 'LAYER_UNAVAILABLE',
    });
    expect(layer.health().status).toBe('connecting');

    await redis.start();
    await logger.waitFor('info', /wrote back the group memberships/);
    await layer.groupSend('room', { type: 'joined-while-down' });
    expect((await receiving).type).toBe('joined-while-down');
  });
});
