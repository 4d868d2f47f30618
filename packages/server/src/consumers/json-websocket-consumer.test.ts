import { describe, expect, it } from 'vitest';
import { InMemoryChannelLayer } from '../layers/in-memory-channel-layer.js';
import { WebsocketCommunicator } from '../testing/websocket-communicator.js';
import { JsonWebsocketConsumer } from './json-websocket-consumer.js';

class EchoJson extends JsonWebsocketConsumer {
  received: unknown[] = [];
  override receiveJson(content: unknown): Promise<void> {
    this.received.push(content);
    return this.sendJson(content);
  }
}

describe('JsonWebsocketConsumer', () => {
  it('decodes text frames for receiveJson and encodes sendJson', async () => {
    const communicator = new WebsocketCommunicator(EchoJson.asApp(), '/testws/');
    expect(await communicator.connect()).toEqual([true, null]);
    await communicator.sendJsonTo({ hello: 'world' });
    expect(await communicator.receiveJsonFrom()).toEqual({ hello: 'world' });
    await communicator.sendJsonTo([1, 'two', null]);
    expect(await communicator.receiveJsonFrom()).toEqual([1, 'two', null]);
    await communicator.disconnect();
  });

  it('answers a binary frame with BAD_MESSAGE and keeps the socket open', async () => {
    const communicator = new WebsocketCommunicator(EchoJson.asApp(), '/');
    await communicator.connect();
    await communicator.sendTo({ bytes: new Uint8Array([119, 0, 0, 0]) });
    expect(await communicator.receiveJsonFrom()).toEqual({
      type: 'error',
      code: 'BAD_MESSAGE',
      message: 'This endpoint takes JSON in text frames; it got a binary frame.',
    });
    await communicator.sendJsonTo({ still: 'open' });
    expect(await communicator.receiveJsonFrom()).toEqual({ still: 'open' });
    await communicator.disconnect();
  });

  it('answers a text frame that is not JSON with BAD_MESSAGE, without parser details', async () => {
    const communicator = new WebsocketCommunicator(EchoJson.asApp(), '/');
    await communicator.connect();
    for (const text of ['{"unterminated": ', 'hello', '']) {
      await communicator.sendTo({ text });
      expect(await communicator.receiveJsonFrom()).toEqual({
        type: 'error',
        code: 'BAD_MESSAGE',
        message: 'This endpoint takes JSON in text frames; that frame is not JSON.',
      });
    }
    await communicator.sendJsonTo('fine');
    expect(await communicator.receiveJsonFrom()).toBe('fine');
    await communicator.disconnect();
  });

  it('lets an exception from receiveJson end the connection (not a BAD_MESSAGE)', async () => {
    class Failing extends JsonWebsocketConsumer {
      override receiveJson(): void {
        throw new Error('handler bug');
      }
    }
    const communicator = new WebsocketCommunicator(Failing.asApp(), '/');
    await communicator.connect();
    await communicator.sendJsonTo({});
    await expect(communicator.receiveFrom()).rejects.toThrow('handler bug');
  });

  it('uses overridden encodeJson and decodeJson', async () => {
    class Reversed extends EchoJson {
      override decodeJson(text: string): unknown {
        return JSON.parse([...text].reverse().join(''));
      }
      override encodeJson(content: unknown): string {
        return `<${JSON.stringify(content)}>`;
      }
    }
    const communicator = new WebsocketCommunicator(Reversed.asApp(), '/');
    await communicator.connect();
    await communicator.sendTo({ text: '}1:"a"{' });
    expect(await communicator.receiveFrom()).toBe('<{"a":1}>');
    await communicator.disconnect();
  });

  it('refuses to send a value JSON cannot encode', async () => {
    class Undefined extends JsonWebsocketConsumer {
      override receiveJson(): Promise<void> {
        return this.sendJson(undefined);
      }
    }
    const communicator = new WebsocketCommunicator(Undefined.asApp(), '/');
    await communicator.connect();
    await communicator.sendJsonTo({});
    await expect(communicator.receiveFrom()).rejects.toThrow(/cannot encode undefined as JSON/);
  });

  it('relays layer messages and refuses its own built-ins as layer types', async () => {
    const channelLayer = new InMemoryChannelLayer();
    class Room extends JsonWebsocketConsumer {
      override groups = ['room'];
      roomEvent(message: { type: string; text: string }): Promise<void> {
        return this.sendJson(message);
      }
    }
    const communicator = new WebsocketCommunicator(Room.asApp({ channelLayer }), '/');
    await communicator.connect();
    await channelLayer.groupSend('room', { type: 'room.event', text: 'hi' });
    expect(await communicator.receiveJsonFrom()).toEqual({ type: 'room.event', text: 'hi' });
    await channelLayer.groupSend('room', { type: 'send.json', text: 'spoofed' });
    await expect(communicator.receiveFrom()).rejects.toThrow(/maps to sendJson\(\), a built-in/);
    await channelLayer.close();
  });
});
