import type { Application, WebSocketAuthReason, WebSocketScope, WithUser } from '@wsgate/shared';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InMemoryChannelLayer } from '../layers/in-memory-channel-layer.js';
import type { Logger } from '../logger.js';
import { HttpCommunicator } from '../testing/http-communicator.js';
import { WebsocketCommunicator } from '../testing/websocket-communicator.js';
import { anonymousUser } from '../auth/anonymous-user.js';
import { WebsocketConsumer } from './websocket-consumer.js';
import type { ConsumerUser, WebSocketFrame } from './websocket-consumer.js';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const layers: InMemoryChannelLayer[] = [];

function newLayer(): InMemoryChannelLayer {
  const layer = new InMemoryChannelLayer({ logger: quiet });
  layers.push(layer);
  return layer;
}

afterEach(async () => {
  for (const layer of layers.splice(0)) await layer.close();
});

function gate(): { opened: Promise<void>; open: () => void } {
  let open = (): void => {};
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

class EchoConsumer extends WebsocketConsumer {
  override receive(frame: WebSocketFrame): Promise<void> {
    return this.send(frame.text !== undefined ? frame.text : { bytes: frame.bytes! });
  }
}

/** Joins `chat`; relays layer `chat.message` events to its client. */
class ChatConsumer extends WebsocketConsumer {
  override groups = ['chat'];
  chatMessage(message: { text: string }): Promise<void> {
    return this.send(message.text);
  }
}

describe('WebsocketConsumer', () => {
  it('runs connect, receive and disconnect with text and bytes', async () => {
    const results: Record<string, unknown> = {};
    class TestConsumer extends WebsocketConsumer {
      override async connect(): Promise<void> {
        results.connected = true;
        await this.accept();
      }
      override receive(frame: WebSocketFrame): Promise<void> {
        results.received = [frame.text, frame.bytes];
        return this.send(frame.text ?? { bytes: frame.bytes! });
      }
      override disconnect(code: number): void {
        results.disconnected = code;
      }
    }
    const communicator = new WebsocketCommunicator(TestConsumer.asApp(), '/testws/');
    expect(await communicator.connect()).toEqual([true, null]);
    expect(results.connected).toBe(true);
    await communicator.sendTo({ text: 'hello' });
    expect(await communicator.receiveFrom()).toBe('hello');
    expect(results.received).toEqual(['hello', undefined]);
    await communicator.sendTo({ bytes: new Uint8Array([119, 0, 0, 0]) });
    expect(await communicator.receiveFrom()).toEqual(new Uint8Array([119, 0, 0, 0]));
    expect(results.received).toEqual([undefined, new Uint8Array([119, 0, 0, 0])]);
    await communicator.disconnect(1001);
    expect(results.disconnected).toBe(1001);
  });

  it('gives each connection its own instance and scope', async () => {
    class PathConsumer extends WebsocketConsumer {
      override receive(): Promise<void> {
        return this.send(this.scope.path);
      }
    }
    const app = PathConsumer.asApp();
    const first = new WebsocketCommunicator(app, '/first/');
    const second = new WebsocketCommunicator(app, '/second/');
    await first.connect();
    await second.connect();
    await second.sendTo({ text: 'Echo Path' });
    expect(await second.receiveFrom()).toBe('/second/');
    await first.sendTo({ text: 'Echo Path' });
    expect(await first.receiveFrom()).toBe('/first/');
    await first.disconnect();
    await second.disconnect();
  });

  it('accepts with a subprotocol and extra headers', async () => {
    class TestConsumer extends WebsocketConsumer {
      override connect(): Promise<void> {
        expect(this.scope.subprotocols).toEqual(['subprotocol1', 'subprotocol2']);
        return this.accept('subprotocol2', [['x-extra', 'yes']]);
      }
    }
    const communicator = new WebsocketCommunicator(TestConsumer.asApp(), '/', {
      subprotocols: ['subprotocol1', 'subprotocol2'],
    });
    await communicator.sendInput({ type: 'websocket.connect' });
    expect(await communicator.receiveOutput()).toEqual({
      type: 'websocket.accept',
      subprotocol: 'subprotocol2',
      headers: [['x-extra', 'yes']],
    });
    await communicator.disconnect();
  });

  it('rejects with a close code, or without one (reported as 1000)', async () => {
    class Denied extends WebsocketConsumer {
      override connect(): Promise<void> {
        return this.close(4403, 'not yours');
      }
    }
    class Refused extends WebsocketConsumer {
      override connect(): Promise<void> {
        return this.close();
      }
    }
    const denied = new WebsocketCommunicator(Denied.asApp(), '/');
    await denied.sendInput({ type: 'websocket.connect' });
    expect(await denied.receiveOutput()).toEqual({
      type: 'websocket.close',
      code: 4403,
      reason: 'not yours',
    });
    await denied.disconnect(4403);
    const refused = new WebsocketCommunicator(Refused.asApp(), '/');
    expect(await refused.connect()).toEqual([false, 1000]);
    await refused.disconnect();
  });

  it('refuses to send a frame with both or neither of text and bytes', async () => {
    let refusal: unknown;
    class Sloppy extends WebsocketConsumer {
      override async receive(): Promise<void> {
        refusal = await this.send({} as { text: string }).catch((error: unknown) => error);
      }
    }
    const communicator = new WebsocketCommunicator(Sloppy.asApp(), '/');
    await communicator.connect();
    await communicator.sendTo({ text: 'go' });
    expect(await communicator.receiveNothing(20)).toBe(true);
    expect(refusal).toMatchObject({
      code: 'INVALID_OPTION',
      message: expect.stringMatching(/exactly one/),
    });
    await communicator.disconnect();
  });

  it('joins groups on connect, relays group messages, and leaves on disconnect', async () => {
    const layer = newLayer();
    const communicator = new WebsocketCommunicator(
      ChatConsumer.asApp({ channelLayer: layer }),
      '/testws/',
    );
    await communicator.connect();
    await layer.groupSend('chat', { type: 'chat.message', text: 'hello' });
    expect(await communicator.receiveFrom()).toBe('hello');
    await layer.groupSend('chat', { type: 'chat_message', text: 'snake too' });
    expect(await communicator.receiveFrom()).toBe('snake too');
    await communicator.disconnect();
    // Left its group and stopped listening: nothing of this connection remains in the layer.
    expect(layer.stats()).toEqual({ channels: 0, groups: 0, messages: 0 });
  });

  it('takes groups from the scope through a field initialiser', async () => {
    class RoomConsumer extends ChatConsumer {
      override groups = [`room.${this.scope.queryString.slice('room='.length)}`];
    }
    const layer = newLayer();
    const communicator = new WebsocketCommunicator(
      RoomConsumer.asApp({ channelLayer: layer }),
      '/?room=7',
    );
    await communicator.connect();
    await layer.groupSend('room.7', { type: 'chat.message', text: 'in room 7' });
    expect(await communicator.receiveFrom()).toBe('in room 7');
    await communicator.disconnect();
  });

  it('receives on its own channel name', async () => {
    const layer = newLayer();
    let channelName = '';
    class Direct extends ChatConsumer {
      override connect(): Promise<void> {
        channelName = this.channelName;
        return this.accept();
      }
    }
    const communicator = new WebsocketCommunicator(Direct.asApp({ channelLayer: layer }), '/');
    await communicator.connect();
    expect(channelName).toMatch(/!/);
    await layer.send(channelName, { type: 'chat.message', text: 'just you' });
    expect(await communicator.receiveFrom()).toBe('just you');
    await communicator.disconnect();
  });

  it('handles one event at a time, in arrival order, from the client and the layer', async () => {
    const layer = newLayer();
    const slow = gate();
    const order: string[] = [];
    class Ordered extends ChatConsumer {
      override async receive({ text }: WebSocketFrame): Promise<void> {
        order.push(`receive ${text} start`);
        if (text === 'slow') await slow.opened;
        order.push(`receive ${text} end`);
      }
      override chatMessage(message: { text: string }): Promise<void> {
        order.push(`layer ${message.text}`);
        return this.send('done');
      }
    }
    const communicator = new WebsocketCommunicator(Ordered.asApp({ channelLayer: layer }), '/');
    await communicator.connect();
    await communicator.sendTo({ text: 'slow' });
    await layer.groupSend('chat', { type: 'chat.message', text: 'during' });
    await communicator.sendTo({ text: 'after' });
    expect(await communicator.receiveNothing(20)).toBe(true);
    slow.open();
    expect(await communicator.receiveFrom()).toBe('done');
    await communicator.disconnect();
    expect(order.slice(0, 3)).toEqual(['receive slow start', 'receive slow end', 'layer during']);
    expect(order.slice(3)).toEqual(['receive after start', 'receive after end']);
  });

  it('fails on a layer type it has no handler for, naming the type and the method', async () => {
    const layer = newLayer();
    const communicator = new WebsocketCommunicator(
      ChatConsumer.asApp({ channelLayer: layer }),
      '/',
    );
    await communicator.connect();
    await layer.groupSend('chat', { type: 'user.joined' });
    await expect(communicator.receiveFrom()).rejects.toMatchObject({
      code: 'NO_HANDLER',
      message: expect.stringMatching(
        /ChatConsumer has no handler for channel-layer message type "user.joined": define a method userJoined\(message\)/,
      ),
    });
    // The crash still left the group and stopped listening.
    expect(layer.stats()).toEqual({ channels: 0, groups: 0, messages: 0 });
  });

  it.each([
    ['close', 'close'],
    ['accept', 'accept'],
    ['send', 'send'],
    ['connect', 'connect'],
    ['receive', 'receive'],
    ['disconnect', 'disconnect'],
    ['channel.name', 'channelName'],
    ['to.string', 'toString'],
    ['constructor', 'constructor'],
  ])('refuses the layer type %j, which would call the built-in %s()', async (type, method) => {
    const layer = newLayer();
    const communicator = new WebsocketCommunicator(
      ChatConsumer.asApp({ channelLayer: layer }),
      '/',
    );
    await communicator.connect();
    await layer.groupSend('chat', { type, code: 1000 });
    await expect(communicator.receiveOutput()).rejects.toMatchObject({
      code: 'NO_HANDLER',
      message: expect.stringContaining(`maps to ${method}(), a built-in consumer method`),
    });
  });

  it.each([['_my_private_handler'], ['.my_private_handler'], ['chat..message'], ['chat.']])(
    'refuses the malformed layer type %j',
    async (type) => {
      const layer = newLayer();
      const communicator = new WebsocketCommunicator(
        ChatConsumer.asApp({ channelLayer: layer }),
        '/',
      );
      await communicator.connect();
      await layer.groupSend('chat', { type, text: 'hello' });
      await expect(communicator.receiveFrom()).rejects.toThrow(
        /malformed channel-layer message type/,
      );
    },
  );

  it('propagates a hook exception and still leaves its groups', async () => {
    const layer = newLayer();
    class Broken extends ChatConsumer {
      override connect(): void {
        throw new Error('connect failed');
      }
    }
    const communicator = new WebsocketCommunicator(Broken.asApp({ channelLayer: layer }), '/');
    await expect(communicator.connect()).rejects.toThrow('connect failed');
    expect(layer.stats()).toEqual({ channels: 0, groups: 0, messages: 0 });
  });

  it('logs a group it could not leave and still runs disconnect', async () => {
    const layer = newLayer();
    const warn = vi.fn();
    const disconnected = vi.fn();
    vi.spyOn(layer, 'groupDiscard').mockRejectedValue(new Error('layer down'));
    class Leaving extends ChatConsumer {
      override disconnect(code: number): void {
        disconnected(code);
      }
    }
    const app = Leaving.asApp({ channelLayer: layer, logger: { ...quiet, warn } });
    const communicator = new WebsocketCommunicator(app, '/');
    await communicator.connect();
    await communicator.disconnect();
    expect(disconnected).toHaveBeenCalledWith(1000);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/could not leave its group/), {
      group: 'chat',
      channel: expect.any(String),
      error: new Error('layer down'),
    });
  });

  it('refuses groups without a channel layer, saying how to pass one', async () => {
    const communicator = new WebsocketCommunicator(ChatConsumer.asApp(), '/');
    await expect(communicator.connect()).rejects.toThrow(
      /ChatConsumer has groups \(chat\) but no channel layer; pass one with ChatConsumer.asApp\(\{ channelLayer \}\)/,
    );
  });

  it('has no channel name without a layer, and says why', async () => {
    let error: unknown;
    class Curious extends WebsocketConsumer {
      override connect(): Promise<void> {
        try {
          void this.channelName;
        } catch (caught) {
          error = caught;
        }
        expect(this.channelLayer).toBeNull();
        return this.accept();
      }
    }
    const communicator = new WebsocketCommunicator(Curious.asApp(), '/');
    await communicator.connect();
    expect(error).toMatchObject({ message: expect.stringMatching(/Curious has no channel layer/) });
    await communicator.disconnect();
  });

  it('fails clearly when the layer itself fails', async () => {
    const layer = newLayer();
    vi.spyOn(layer, 'receive').mockRejectedValue(new Error('redis went away'));
    const communicator = new WebsocketCommunicator(
      ChatConsumer.asApp({ channelLayer: layer }),
      '/',
    );
    await communicator.sendInput({ type: 'websocket.connect' });
    await expect(communicator.wait()).rejects.toThrow('redis went away');
  });

  it('refuses to run for an HTTP request', async () => {
    const app = EchoConsumer.asApp() as unknown as Application;
    await expect(new HttpCommunicator(app, 'GET', '/').getResponse()).rejects.toThrow(
      /EchoConsumer handles websocket connections, not http/,
    );
  });

  it('echoes many frames without a layer', async () => {
    const communicator = new WebsocketCommunicator(EchoConsumer.asApp(), '/');
    await communicator.connect();
    for (let i = 0; i < 100; i++) await communicator.sendTo({ text: String(i) });
    for (let i = 0; i < 100; i++) expect(await communicator.receiveFrom()).toBe(String(i));
    await communicator.disconnect();
  });
});

describe('WebsocketConsumer and websocket.auth', () => {
  type UserScope = WebSocketScope & WithUser<{ id: string; name: string }>;

  it('replaces this.scope with a copy carrying the new user, then calls authChanged', async () => {
    const seen: Array<[unknown, string, unknown]> = [];
    class AuthConsumer extends WebsocketConsumer<UserScope> {
      override authChanged(user: ConsumerUser<UserScope>, reason: WebSocketAuthReason): void {
        seen.push([user.id, reason, this.scope.user]);
      }
      override receive(): Promise<void> {
        return this.send(String(this.scope.user.id));
      }
    }
    const app: Application<WebSocketScope> = (scope, receive, send) =>
      AuthConsumer.asApp()({ ...scope, user: anonymousUser }, receive, send);
    const communicator = new WebsocketCommunicator(app, '/ws/');
    await communicator.connect();
    const ada = { id: '7', name: 'Ada', isAuthenticated: true as const };
    await communicator.sendInput({ type: 'websocket.auth', user: ada, reason: 'login' });
    await communicator.sendTo({ text: 'who?' });
    expect(await communicator.receiveFrom()).toBe('7');
    expect(seen).toEqual([['7', 'login', ada]]);
    await communicator.sendInput({
      type: 'websocket.auth',
      user: anonymousUser,
      reason: 'revoked',
    });
    await communicator.sendTo({ text: 'who?' });
    expect(await communicator.receiveFrom()).toBe('null');
    expect(seen[1]).toEqual([null, 'revoked', anonymousUser]);
    await communicator.disconnect();
  });

  it('ignores the event by default', async () => {
    const communicator = new WebsocketCommunicator(EchoConsumer.asApp(), '/ws/');
    await communicator.connect();
    await communicator.sendInput({
      type: 'websocket.auth',
      user: anonymousUser,
      reason: 'expired',
    });
    await communicator.sendTo({ text: 'still here' });
    expect(await communicator.receiveFrom()).toBe('still here');
    await communicator.disconnect();
  });
});
