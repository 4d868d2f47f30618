import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebsocketConsumer } from '../src/consumers/websocket-consumer.js';
import type { ChannelLayerMessage } from '../src/layers/channel-layer.js';
import { RedisChannelLayer } from '../src/redis/redis-channel-layer.js';
import type { RedisChannelLayerOptions } from '../src/redis/redis-channel-layer.js';
import { WebsocketCommunicator } from '../src/testing/websocket-communicator.js';
import { describeChannelLayerContract } from './channel-layer-contract.js';
import { deleteKeys, inspector, quiet, requireRedis, uniquePrefix } from './redis-fixtures.js';

const hasRedis = await requireRedis('the RedisChannelLayer tests');

describe.skipIf(!hasRedis)('RedisChannelLayer', () => {
  describeChannelLayerContract(
    'RedisChannelLayer',
    (options) =>
      new RedisChannelLayer({ ...options, prefix: uniquePrefix('contract'), logger: quiet }),
  );

  let redis: Awaited<ReturnType<typeof inspector>>;
  const open: RedisChannelLayer[] = [];
  const prefixes: string[] = [];

  /** Layers on one prefix, as processes of one deployment. */
  function deployment(options: Omit<RedisChannelLayerOptions, 'prefix'> = {}) {
    const prefix = uniquePrefix('layer');
    prefixes.push(prefix);
    return (more: Omit<RedisChannelLayerOptions, 'prefix'> = {}): RedisChannelLayer => {
      const layer = new RedisChannelLayer({ logger: quiet, ...options, ...more, prefix });
      open.push(layer);
      return layer;
    };
  }

  beforeAll(async () => {
    redis = await inspector();
  });

  afterEach(async () => {
    for (const layer of open.splice(0)) await layer.close();
    for (const prefix of prefixes.splice(0)) await deleteKeys(redis, prefix);
  });

  afterAll(() => {
    redis.destroy();
  });

  describe('across instances (processes)', () => {
    it('delivers a group message to the consumers of both', async () => {
      const layer = deployment();
      const [a, b] = [layer(), layer()];
      const [inA, inB] = [await a.newChannel(), await b.newChannel()];
      expect(inA.split('!')[0]).not.toBe(inB.split('!')[0]);
      await a.groupAdd('room', inA);
      await b.groupAdd('room', inB);
      const receiving = [a.receive(inA), b.receive(inB)];
      await b.groupSend('room', { type: 'chat.message', text: 'hi' });
      expect(await Promise.all(receiving)).toEqual([
        { type: 'chat.message', text: 'hi' },
        { type: 'chat.message', text: 'hi' },
      ]);
      await b.send(inA, { type: 'direct' });
      expect((await a.receive(inA)).type).toBe('direct');
    });

    it("receives on another instance's channel too, without its inbox", async () => {
      const layer = deployment();
      const [a, b] = [layer(), layer()];
      const inA = await a.newChannel();
      await a.send(inA, { type: 'picked.up.elsewhere' });
      expect((await b.receive(inA)).type).toBe('picked.up.elsewhere');
    });

    it('shares capacity: a channel full for one is full for the other', async () => {
      const layer = deployment({ capacity: 2 });
      const [a, b] = [layer(), layer()];
      const inbox = await a.newChannel();
      await b.send(inbox, { type: 'one' });
      await b.send(inbox, { type: 'two' });
      await expect(a.send(inbox, { type: 'three' })).rejects.toMatchObject({
        code: 'CHANNEL_FULL',
      });
      await expect(b.send(inbox, { type: 'three' })).rejects.toMatchObject({
        code: 'CHANNEL_FULL',
      });
      expect((await a.receive(inbox)).type).toBe('one');
      await b.send(inbox, { type: 'three' });
      expect((await a.receive(inbox)).type).toBe('two');
      expect((await a.receive(inbox)).type).toBe('three');
    });

    it('logs a group delivery skipped for a full channel on another instance', async () => {
      const debug = vi.fn();
      const layer = deployment({ capacity: 1 });
      const [a, b] = [layer(), layer({ logger: { ...quiet, debug } })];
      const full = await a.newChannel();
      await a.groupAdd('g', full);
      await b.groupSend('g', { type: 'first' });
      await b.groupSend('g', { type: 'second' });
      expect(debug).toHaveBeenCalledWith(expect.stringMatching(/skipped a full channel/), {
        group: 'g',
        channel: full,
        type: 'second',
        capacity: 1,
      });
      expect((await a.receive(full)).type).toBe('first');
    });
  });

  describe('expiry', () => {
    it('drops a message its reader did not take in time, on whichever instance reads', async () => {
      const layer = deployment();
      const [short, long] = [layer({ expiry: 0.05 }), layer()];
      await short.send('jobs', { type: 'stale' });
      await delay(100);
      await long.send('jobs', { type: 'fresh' });
      expect((await short.receive('jobs')).type).toBe('fresh');
    });

    it('makes room in a full channel once its messages expire', async () => {
      const layer = deployment({ capacity: 2, expiry: 0.05 })();
      const inbox = await layer.newChannel();
      await layer.send(inbox, { type: 'old' });
      await layer.send(inbox, { type: 'old' });
      await expect(layer.send(inbox, { type: 'new' })).rejects.toMatchObject({
        code: 'CHANNEL_FULL',
      });
      await delay(100);
      await layer.send(inbox, { type: 'new' });
      expect((await layer.receive(inbox)).type).toBe('new');
    });

    it('gives channel and group keys TTLs, so abandoned ones vanish', async () => {
      const layer = deployment({ expiry: 30, groupExpiry: 600 })();
      const inbox = await layer.newChannel();
      await layer.groupAdd('room', inbox);
      await layer.groupSend('room', { type: 'unread' });
      const ttl = async (key: string) => redis.sendCommand<number>(['PTTL', key]);
      const channelTtl = await ttl(`${layer.prefix}:channel:${inbox}`);
      expect(channelTtl).toBeGreaterThan(0);
      // Set a tenth longer than the expiry, so the pushes that follow need no PEXPIRE.
      expect(channelTtl).toBeLessThanOrEqual(33_000);
      const groupTtl = await ttl(`${layer.prefix}:group:room`);
      expect(groupTtl).toBeGreaterThan(30_000);
      expect(groupTtl).toBeLessThanOrEqual(600_000);
      const owner = /\.([^.!]+)!/.exec(inbox)?.[1];
      expect(await ttl(`${layer.prefix}:inbox:${owner}`)).toBeLessThanOrEqual(33_000);
    });

    it('ends a membership after groupExpiry unless groupAdd renews it', async () => {
      const layer = deployment({ groupExpiry: 0.1 })();
      await layer.groupAdd('g', 'stale');
      await delay(150);
      await layer.groupAdd('g', 'renewed');
      await layer.groupSend('g', { type: 'hello' });
      await layer.send('stale', { type: 'marker' });
      expect((await layer.receive('stale')).type).toBe('marker');
      expect((await layer.receive('renewed')).type).toBe('hello');
    });
  });

  describe('receiving', () => {
    it('serves many waiting consumers with one blocking connection', async () => {
      const layer = deployment()();
      const channels = await Promise.all(Array.from({ length: 300 }, () => layer.newChannel()));
      const received = channels.map((channel) => layer.receive(channel));
      expect(layer.stats().watchedChannels).toBe(300);
      await Promise.all(channels.map((channel, n) => layer.send(channel, { type: 'n', n })));
      expect((await Promise.all(received)).map((message) => message.n)).toEqual(
        channels.map((_, n) => n),
      );
      // Every connection the layer opened is still open: commands, and the one receive loop.
      const owner = /\.([^.!]+)!/.exec(channels[0]!)?.[1];
      const list = await redis.sendCommand<string>(['CLIENT', 'LIST']);
      const mine = list.split('\n').filter((line) => line.includes(`name=wsgate-layer-${owner} `));
      expect(mine).toHaveLength(2);
    });

    it('loses nothing when receives are cancelled at any moment', async () => {
      const layer = deployment()();
      const inbox = await layer.newChannel();
      const got: unknown[] = [];
      for (let n = 0; n < 40; n++) {
        const cancel = new AbortController();
        const receiving = layer.receive(inbox, { signal: cancel.signal }).then(
          (message) => got.push(message.n),
          () => undefined,
        );
        const sending = layer.send(inbox, { type: 'n', n });
        // Cancel before, during or after the pop, varying with n.
        for (let turn = 0; turn < n % 4; turn++) await Promise.resolve();
        cancel.abort(new Error('gone'));
        await Promise.all([receiving, sending]);
      }
      await layer.send(inbox, { type: 'end' });
      for (let message = await layer.receive(inbox); message.type !== 'end';) {
        got.push(message.n);
        message = await layer.receive(inbox);
      }
      expect([...got].sort((x, y) => Number(x) - Number(y))).toEqual(
        Array.from({ length: 40 }, (_, n) => n),
      );
    });

    it('loses nothing when receives are cancelled while their group message is popped in a batch', async () => {
      const layer = deployment()();
      for (let round = 0; round < 4; round++) {
        const group = `batch-${round}`;
        const channels = await Promise.all(Array.from({ length: 80 }, () => layer.newChannel()));
        await Promise.all(channels.map((channel) => layer.groupAdd(group, channel)));
        const got = new Map<string, unknown[]>(channels.map((channel) => [channel, []]));
        const receiving = channels.map((channel, n) => {
          const cancel = new AbortController();
          const done = layer.receive(channel, { signal: cancel.signal }).then(
            (message) => got.get(channel)!.push(message.n),
            () => undefined,
          );
          return { cancel, done, turn: n % 2 === 0 ? (n / 2 + round) % 10 : null };
        });
        // A command on the layer's connection after the receives' first pops: they wait now.
        await layer.groupDiscard(group, 'nobody');
        await layer.groupSend(group, { type: 'n', n: round });
        // Half the receives are cancelled while the loop reads the rings, pops, or hands over.
        for (let turn = 0; turn < 10; turn++) {
          for (const { cancel, turn: at } of receiving)
            if (at === turn) cancel.abort(new Error('gone'));
          await new Promise((resolve) => setImmediate(resolve));
        }
        await Promise.all(receiving.map(({ done }) => done));
        await layer.groupSend(group, { type: 'end' });
        for (const channel of channels) {
          for (let message = await layer.receive(channel); message.type !== 'end';) {
            got.get(channel)!.push(message.n);
            message = await layer.receive(channel);
          }
        }
        expect([...got.values()]).toEqual(channels.map(() => [round]));
      }
    });

    it('finds a message sent while nobody was receiving on a channel the loop had emptied', async () => {
      const layer = deployment()();
      const channel = await layer.newChannel();
      for (let n = 0; n < 20; n++) {
        const first = layer.receive(channel);
        await layer.send(channel, { type: 'n', n: 2 * n });
        expect((await first).n).toBe(2 * n);
        // Nobody waits now: the loop reads this ring without popping, and the next receive pops.
        await layer.send(channel, { type: 'n', n: 2 * n + 1 });
        if (n % 2 === 0) await new Promise((resolve) => setImmediate(resolve));
        expect((await layer.receive(channel)).n).toBe(2 * n + 1);
      }
    });

    it('carries bytes as Uint8Array across processes', async () => {
      const layer = deployment();
      const [a, b] = [layer(), layer()];
      const inbox = await a.newChannel();
      await b.send(inbox, {
        type: 'frame',
        bytes: Buffer.from([0, 1, 254, 255]),
        nested: [{ chunk: new Uint8Array([7]) }],
      });
      const message = await a.receive(inbox);
      expect(message.bytes).toBeInstanceOf(Uint8Array);
      expect(message).toEqual({
        type: 'frame',
        bytes: new Uint8Array([0, 1, 254, 255]),
        nested: [{ chunk: new Uint8Array([7]) }],
      });
    });

    it('skips, and logs, an entry something else wrote under its prefix', async () => {
      const error = vi.fn();
      const layer = deployment()({ logger: { ...quiet, error } });
      await redis.sendCommand(['RPUSH', `${layer.prefix}:channel:jobs`, 'not an entry']);
      await layer.send('jobs', { type: 'real' });
      expect((await layer.receive('jobs')).type).toBe('real');
      expect(error).toHaveBeenCalledWith(expect.stringMatching(/unreadable entry/), {
        channel: 'jobs',
        entry: 'not an entry',
      });
    });
  });

  it("carries a group send on one node to a consumer's socket on another", async () => {
    class ChatConsumer extends WebsocketConsumer {
      override groups = ['chat'];
      chatMessage(message: { text: string }): Promise<void> {
        return this.send(message.text);
      }
    }
    const layer = deployment();
    const [nodeA, nodeB] = [layer(), layer()];
    const communicator = new WebsocketCommunicator(
      ChatConsumer.asApp({ channelLayer: nodeA }),
      '/chat/',
    );
    await communicator.connect();
    await nodeB.groupSend('chat', { type: 'chat.message', text: 'from node B' });
    expect(await communicator.receiveFrom()).toBe('from node B');
    await communicator.disconnect();
    // It left its group, in Redis and in what the node would write back after an outage.
    await vi.waitFor(() => expect(nodeA.stats()).toEqual({ watchedChannels: 0, memberships: 0 }));
    expect(await redis.sendCommand(['ZCARD', `${nodeA.prefix}:group:chat`])).toBe(0);
  });

  it('reports its health', async () => {
    const layer = deployment()();
    await layer.send('c', { type: 'x' });
    expect(layer.status).toBe('ready');
    expect(layer.health()).toMatchObject({ status: 'ready', attempts: 0 });
    await layer.close();
    expect(layer.health().status).toBe('closed');
  });

  it.each<[RedisChannelLayerOptions, RegExp]>([
    [{ url: 'http://127.0.0.1:6379' }, /url.*redis:\/\//],
    [{ url: 'not a url' }, /url/],
    [{ prefix: 'has space' }, /prefix/],
    [{ prefix: 'glob*' }, /prefix/],
    [{ capacity: 0 }, /capacity/],
    [{ expiry: -1 }, /expiry/],
    [{ commandTimeout: Number.NaN }, /commandTimeout/],
  ])('refuses the options %j', (options, message) => {
    expect(() => new RedisChannelLayer({ logger: quiet, ...options })).toThrow(message);
  });

  it('hides the password of the url in what it logs and throws', async () => {
    const warn = vi.fn();
    const layer = new RedisChannelLayer({
      url: 'redis://:secret@127.0.0.1:1',
      commandTimeout: 100,
      logger: { ...quiet, warn },
    });
    open.push(layer);
    const failure = layer.send('c', { type: 'x' } satisfies ChannelLayerMessage);
    await expect(failure).rejects.toMatchObject({ code: 'LAYER_UNAVAILABLE' });
    await expect(failure).rejects.not.toThrow(/secret/);
    // The send gives up after 100 ms, possibly before the (lazily imported) client has even
    // reported its first connection error: wait for that warning, bounded.
    await vi.waitFor(() => expect(warn).toHaveBeenCalledOnce(), { timeout: 5_000 });
    expect(JSON.stringify(warn.mock.calls)).not.toMatch(/secret/);
  });
});
