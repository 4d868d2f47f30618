/**
 * The behaviour every ChannelLayer must have (ported from Channels' test_inmemorychannel.py and
 * test_layers.py), as one suite each implementation runs:
 *
 *   describeChannelLayerContract('InMemoryChannelLayer', (o) => new InMemoryChannelLayer(o));
 *
 * It lives in test/ rather than src/ so the published package never imports vitest. Nothing
 * here waits on time: absence is shown by a marker message arriving first.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ChannelLayer } from '../src/layers/channel-layer.js';

export interface ContractLayerOptions {
  /** Every layer under test must honour a capacity. */
  readonly capacity: number;
}

export function describeChannelLayerContract(
  name: string,
  makeLayer: (options: ContractLayerOptions) => ChannelLayer | Promise<ChannelLayer>,
): void {
  describe(`${name} (ChannelLayer contract)`, () => {
    const open: ChannelLayer[] = [];
    async function layerWith(capacity = 3): Promise<ChannelLayer> {
      const layer = await makeLayer({ capacity });
      open.push(layer);
      return layer;
    }

    afterEach(async () => {
      for (const layer of open.splice(0)) {
        await layer.flush().catch(() => undefined);
        await layer.close();
      }
    });

    it('delivers messages on a channel in order', async () => {
      const layer = await layerWith();
      await layer.send('test-channel-3', { type: 'message.1', text: 'Ahoy-hoy!' });
      await layer.send('test-channel-3', { type: 'message.2' });
      await layer.send('test-channel-3', { type: 'message.3' });
      expect(await layer.receive('test-channel-3')).toEqual({
        type: 'message.1',
        text: 'Ahoy-hoy!',
      });
      expect((await layer.receive('test-channel-3')).type).toBe('message.2');
      expect((await layer.receive('test-channel-3')).type).toBe('message.3');
    });

    it('hands a message to a receive that was already waiting', async () => {
      const layer = await layerWith();
      const receiving = layer.receive('test-channel-1');
      await layer.send('test-channel-1', { type: 'test.message', text: 'Ahoy-hoy!' });
      expect(await receiving).toEqual({ type: 'test.message', text: 'Ahoy-hoy!' });
    });

    it('gives each of several waiting receivers a different message', async () => {
      const layer = await layerWith();
      const first = layer.receive('shared');
      const second = layer.receive('shared');
      await layer.send('shared', { type: 'a' });
      await layer.send('shared', { type: 'b' });
      const types = [(await first).type, (await second).type].sort();
      expect(types).toEqual(['a', 'b']);
    });

    it('rejects a send to a full channel with CHANNEL_FULL', async () => {
      const layer = await layerWith(3);
      for (let i = 0; i < 3; i++) await layer.send('test-channel-1', { type: 'test.message' });
      await expect(layer.send('test-channel-1', { type: 'test.message' })).rejects.toMatchObject({
        code: 'CHANNEL_FULL',
        message: expect.stringContaining('test-channel-1'),
      });
      // Reading makes room again.
      await layer.receive('test-channel-1');
      await layer.send('test-channel-1', { type: 'test.message' });
    });

    it('makes unique, valid process-local channels that work like any other', async () => {
      const layer = await layerWith();
      const first = await layer.newChannel();
      const second = await layer.newChannel('chat');
      expect(first).not.toBe(second);
      expect(first).toContain('!');
      expect(second.startsWith('chat.')).toBe(true);
      await layer.send(first, { type: 'test.message', text: 'Local only please' });
      expect(await layer.receive(first)).toEqual({
        type: 'test.message',
        text: 'Local only please',
      });
    });

    it('sends to the channels in a group, and not to one discarded from it', async () => {
      const layer = await layerWith();
      await layer.groupAdd('test-group', 'test-gr-chan-1');
      await layer.groupAdd('test-group', 'test-gr-chan-2');
      await layer.groupAdd('test-group', 'test-gr-chan-3');
      await layer.groupDiscard('test-group', 'test-gr-chan-2');
      await layer.groupSend('test-group', { type: 'message.1' });
      expect((await layer.receive('test-gr-chan-1')).type).toBe('message.1');
      expect((await layer.receive('test-gr-chan-3')).type).toBe('message.1');
      await layer.send('test-gr-chan-2', { type: 'marker' });
      expect((await layer.receive('test-gr-chan-2')).type).toBe('marker');
    });

    it('delivers once to a channel added twice; discarding a non-member is fine', async () => {
      const layer = await layerWith();
      await layer.groupAdd('g', 'c');
      await layer.groupAdd('g', 'c');
      await layer.groupDiscard('g', 'not-a-member');
      await layer.groupDiscard('no-such-group', 'c');
      await layer.groupSend('g', { type: 'once' });
      await layer.send('c', { type: 'marker' });
      expect((await layer.receive('c')).type).toBe('once');
      expect((await layer.receive('c')).type).toBe('marker');
    });

    it('skips full channels in groupSend and still reaches the others', async () => {
      const layer = await layerWith(3);
      await layer.groupAdd('test-group', 'full');
      await layer.groupAdd('test-group', 'reading');
      for (let i = 0; i < 5; i++) {
        await layer.groupSend('test-group', { type: 'message.1', n: i });
        expect(await layer.receive('reading')).toEqual({ type: 'message.1', n: i });
      }
      const kept = [];
      for (let i = 0; i < 3; i++) kept.push((await layer.receive('full')).n);
      expect(kept).toEqual([0, 1, 2]);
    });

    it('sends to an empty or unknown group without error', async () => {
      const layer = await layerWith();
      await layer.groupSend('nobody-here', { type: 'hello' });
    });

    it('hands receivers copies: no state shared with the sender or each other', async () => {
      const layer = await layerWith();
      const message = { type: 'chat.message', nested: { count: 1 } };
      await layer.groupAdd('g', 'one');
      await layer.groupAdd('g', 'two');
      await layer.groupSend('g', message);
      await layer.send('three', message);
      message.nested.count = 99;
      const one = await layer.receive('one');
      const two = await layer.receive('two');
      expect(one).toEqual({ type: 'chat.message', nested: { count: 1 } });
      expect(await layer.receive('three')).toEqual({ type: 'chat.message', nested: { count: 1 } });
      expect(one.nested).not.toBe(two.nested);
    });

    it('carries bytes, arriving as Uint8Array', async () => {
      const layer = await layerWith();
      await layer.send('c', { type: 'frame', bytes: Buffer.from([0, 1, 255]), none: undefined });
      expect(await layer.receive('c')).toEqual({
        type: 'frame',
        bytes: new Uint8Array([0, 1, 255]),
      });
    });

    it.each([
      [{ type: 'x', at: new Date(0) }, /`message.at` is a Date/],
      [{ type: 'x', tags: new Map() }, /`message.tags` is a Map/],
      [{ type: 'x', n: Number.NaN }, /`message.n` is NaN/],
      [{ type: 'x', f: () => 1 }, /`message.f` is a function/],
    ])('refuses %o, which only JSON and bytes cross processes', async (bad, detail) => {
      // Every layer refuses alike, so code that works in memory also works across nodes.
      const layer = await layerWith();
      const refusal = { code: 'INVALID_MESSAGE', message: expect.stringMatching(detail) };
      await expect(layer.send('c', bad)).rejects.toMatchObject(refusal);
      await expect(layer.groupSend('g', bad)).rejects.toMatchObject(refusal);
    });

    it('withdraws an aborted receive without losing the next message', async () => {
      const layer = await layerWith();
      const controller = new AbortController();
      const receiving = layer.receive('test-channel-1', { signal: controller.signal });
      controller.abort(new Error('consumer disconnected'));
      await expect(receiving).rejects.toThrow('consumer disconnected');
      await layer.send('test-channel-1', { type: 'kept' });
      expect((await layer.receive('test-channel-1')).type).toBe('kept');
      await expect(
        layer.receive('test-channel-1', { signal: AbortSignal.abort(new Error('already')) }),
      ).rejects.toThrow('already');
    });

    it.each([
      ['', 'empty'],
      ['has space', 'a space'],
      ['ünicode', 'non-ASCII'],
      ['a'.repeat(100), '100 characters'],
      ['two!bangs!', 'two bangs'],
      ['!leading-bang', 'a leading bang'],
    ])('refuses the channel name %j (%s), saying what is allowed', async (bad) => {
      const layer = await layerWith();
      const refusal = {
        code: 'INVALID_CHANNEL_NAME',
        message: expect.stringMatching(/ASCII letters, digits, hyphens, underscores and periods/),
      };
      await expect(layer.send(bad, { type: 'x' })).rejects.toMatchObject(refusal);
      await expect(layer.receive(bad)).rejects.toMatchObject(refusal);
      await expect(layer.groupAdd('ok', bad)).rejects.toMatchObject(refusal);
      await expect(layer.groupDiscard('ok', bad)).rejects.toMatchObject(refusal);
    });

    it.each([['a'.repeat(99)], ['chat.room-1_b'], ['specific.inmemory!abc-_.9']])(
      'accepts the channel name %j',
      async (good) => {
        const layer = await layerWith();
        await layer.send(good, { type: 'x' });
        expect((await layer.receive(good)).type).toBe('x');
      },
    );

    it.each([[''], ['has space'], ['with!bang'], ['a'.repeat(100)]])(
      'refuses the group name %j',
      async (bad) => {
        const layer = await layerWith();
        const refusal = {
          code: 'INVALID_CHANNEL_NAME',
          message: expect.stringMatching(/group name/),
        };
        await expect(layer.groupAdd(bad, 'c')).rejects.toMatchObject(refusal);
        await expect(layer.groupDiscard(bad, 'c')).rejects.toMatchObject(refusal);
        await expect(layer.groupSend(bad, { type: 'x' })).rejects.toMatchObject(refusal);
      },
    );

    it.each([
      [{ text: 'no type' }, /without `type`/],
      [{ type: '' }, /non-empty string `type`/],
      [{ type: 42 }, /type 42/],
      [null, /got null/],
      [['type'], /got an array/],
      ['chat.message', /got string/],
    ])('refuses the message %j, saying what a message must be', async (bad, detail) => {
      const layer = await layerWith();
      const message = bad as unknown as { type: string };
      const refusal = { code: 'INVALID_MESSAGE', message: expect.stringMatching(detail) };
      await expect(layer.send('c', message)).rejects.toMatchObject(refusal);
      await expect(layer.groupSend('g', message)).rejects.toMatchObject(refusal);
    });

    it('flush drops queued messages and groups', async () => {
      const layer = await layerWith();
      await layer.send('c', { type: 'stale' });
      await layer.groupAdd('g', 'c');
      await layer.flush();
      await layer.groupSend('g', { type: 'to-group' });
      await layer.send('c', { type: 'fresh' });
      expect((await layer.receive('c')).type).toBe('fresh');
    });

    it('close rejects pending receives and later calls with LAYER_CLOSED', async () => {
      const layer = await layerWith();
      const receiving = layer.receive('c');
      await layer.close();
      await expect(receiving).rejects.toMatchObject({ code: 'LAYER_CLOSED' });
      await expect(layer.send('c', { type: 'x' })).rejects.toMatchObject({ code: 'LAYER_CLOSED' });
      await expect(layer.receive('c')).rejects.toMatchObject({ code: 'LAYER_CLOSED' });
      await layer.close();
    });
  });
}
