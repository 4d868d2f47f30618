import { afterEach, describe, expect, it, vi } from 'vitest';
import { describeChannelLayerContract } from '../../test/channel-layer-contract.js';
import type { Logger } from '../logger.js';
import { InMemoryChannelLayer } from './in-memory-channel-layer.js';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

describeChannelLayerContract(
  'InMemoryChannelLayer',
  (options) => new InMemoryChannelLayer({ ...options, logger: quiet }),
);

describe('InMemoryChannelLayer', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('forgets a channel once it is read empty', async () => {
    const layer = new InMemoryChannelLayer();
    await layer.send('test-channel-1', { type: 'test.message' });
    await layer.send('test-channel-1', { type: 'test.message' });
    await layer.receive('test-channel-1');
    expect(layer.stats()).toEqual({ channels: 1, groups: 0, messages: 1 });
    await layer.receive('test-channel-1');
    expect(layer.stats()).toEqual({ channels: 0, groups: 0, messages: 0 });
  });

  it('forgets the channel of an aborted receive', async () => {
    const layer = new InMemoryChannelLayer();
    const controller = new AbortController();
    const receiving = layer.receive('c', { signal: controller.signal });
    expect(layer.stats().channels).toBe(1);
    controller.abort(new Error('gone'));
    await expect(receiving).rejects.toThrow('gone');
    expect(layer.stats().channels).toBe(0);
  });

  it('drops an expired message and forgets its channel', async () => {
    vi.useFakeTimers();
    const layer = new InMemoryChannelLayer({ expiry: 60 });
    await layer.send('test-channel-1', { type: 'message.1' });
    vi.advanceTimersByTime(60_000);
    await layer.send('marker', { type: 'marker' });
    expect(layer.stats()).toEqual({ channels: 1, groups: 0, messages: 1 });
    const controller = new AbortController();
    const receiving = layer.receive('test-channel-1', { signal: controller.signal });
    controller.abort(new Error('nothing came'));
    await expect(receiving).rejects.toThrow('nothing came');
  });

  it('drops expired messages on read and delivers the fresh one behind them', async () => {
    vi.useFakeTimers();
    const layer = new InMemoryChannelLayer({ expiry: 60 });
    await layer.send('test-channel-1', { type: 'message.1' });
    await layer.send('test-channel-1', { type: 'message.2' });
    await layer.send('test-channel-1', { type: 'message.3' });
    expect((await layer.receive('test-channel-1')).type).toBe('message.1');
    vi.advanceTimersByTime(30_000);
    await layer.send('test-channel-1', { type: 'message.4' });
    vi.advanceTimersByTime(30_000);
    expect((await layer.receive('test-channel-1')).type).toBe('message.4');
    expect(layer.stats().channels).toBe(0);
  });

  it('removes a channel whose messages expired unread from its groups (a dead consumer)', async () => {
    vi.useFakeTimers();
    const layer = new InMemoryChannelLayer({ expiry: 60 });
    await layer.groupAdd('room', 'dead');
    await layer.groupAdd('room', 'alive');
    await layer.groupSend('room', { type: 'hello' });
    await layer.receive('alive');
    vi.advanceTimersByTime(60_000);
    await layer.send('alive', { type: 'tick' });
    expect(layer.stats()).toEqual({ channels: 1, groups: 1, messages: 1 });
    await layer.receive('alive');
    await layer.groupSend('room', { type: 'again' });
    expect(layer.stats()).toEqual({ channels: 1, groups: 1, messages: 1 });
  });

  it('accepts sends again once a full channel has expired', async () => {
    vi.useFakeTimers();
    const layer = new InMemoryChannelLayer({ capacity: 2, expiry: 10 });
    await layer.send('c', { type: 'old' });
    await layer.send('c', { type: 'old' });
    await expect(layer.send('c', { type: 'new' })).rejects.toMatchObject({ code: 'CHANNEL_FULL' });
    vi.advanceTimersByTime(10_000);
    await layer.send('c', { type: 'new' });
    expect((await layer.receive('c')).type).toBe('new');
  });

  it('ends a group membership after groupExpiry unless groupAdd renews it', async () => {
    vi.useFakeTimers();
    const layer = new InMemoryChannelLayer({ groupExpiry: 100 });
    await layer.groupAdd('g', 'stale');
    await layer.groupAdd('g', 'renewed');
    vi.advanceTimersByTime(50_000);
    await layer.groupAdd('g', 'renewed');
    vi.advanceTimersByTime(50_000);
    await layer.groupSend('g', { type: 'hello' });
    expect((await layer.receive('renewed')).type).toBe('hello');
    expect(layer.stats()).toEqual({ channels: 0, groups: 1, messages: 0 });
  });

  it('logs a skipped group delivery at debug level', async () => {
    const debug = vi.fn();
    const layer = new InMemoryChannelLayer({ capacity: 1, logger: { ...quiet, debug } });
    await layer.groupAdd('g', 'c');
    await layer.groupSend('g', { type: 'first' });
    await layer.groupSend('g', { type: 'second' });
    expect(debug).toHaveBeenCalledOnce();
    expect(debug.mock.calls[0]).toEqual([
      expect.stringMatching(/skipped a full channel/),
      { group: 'g', channel: 'c', type: 'second', capacity: 1 },
    ]);
  });

  it('keeps a waiting receiver working across flush', async () => {
    const layer = new InMemoryChannelLayer();
    const receiving = layer.receive('c');
    await layer.flush();
    await layer.send('c', { type: 'after-flush' });
    expect((await receiving).type).toBe('after-flush');
  });

  it('refuses a message that cannot be copied', async () => {
    const layer = new InMemoryChannelLayer();
    await expect(layer.send('c', { type: 'x', callback: () => 1 })).rejects.toMatchObject({
      code: 'INVALID_MESSAGE',
      message: expect.stringMatching(/"x" message cannot be copied/),
    });
  });

  it.each([
    [{ capacity: 0 }, /capacity.*positive integer/],
    [{ capacity: 1.5 }, /capacity/],
    [{ expiry: -1 }, /expiry.*seconds/],
    [{ groupExpiry: Number.NaN }, /groupExpiry/],
  ])('refuses the options %j', (options, message) => {
    expect(() => new InMemoryChannelLayer(options)).toThrow(message);
  });

  it('refuses a prefix that makes an invalid channel name', async () => {
    await expect(new InMemoryChannelLayer().newChannel('bad prefix')).rejects.toMatchObject({
      code: 'INVALID_CHANNEL_NAME',
    });
  });
});
