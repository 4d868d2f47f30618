/**
 * Consumers and the in-memory layer behind the real server: frames over sockets, group
 * broadcast between connections, and a layer message without a handler closing 1011.
 */
import { once } from 'node:events';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { serve } from '../src/adapter/serve.js';
import type { RunningServer } from '../src/adapter/serve.js';
import { AsyncQueue } from '../src/async-queue.js';
import { JsonWebsocketConsumer } from '../src/consumers/json-websocket-consumer.js';
import { InMemoryChannelLayer } from '../src/layers/in-memory-channel-layer.js';
import type { Logger } from '../src/logger.js';
import { protocolTypeRouter } from '../src/routing/protocol-type-router.js';

interface Client {
  readonly socket: WebSocket;
  next(): Promise<unknown>;
  closed: Promise<number>;
}

const bound = 5_000;
const servers: RunningServer[] = [];
const layers: InMemoryChannelLayer[] = [];
const sockets: WebSocket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.terminate();
  for (const server of servers.splice(0)) await server.close();
  for (const layer of layers.splice(0)) await layer.close();
});

function recordingLogger(): Logger & { errors: string[] } {
  const errors: string[] = [];
  const record = (message: string, details?: Record<string, unknown>): void => {
    errors.push(`${message} ${details?.error instanceof Error ? details.error.message : ''}`);
  };
  return { errors, debug() {}, info() {}, warn() {}, error: record };
}

async function connect(server: RunningServer): Promise<Client> {
  const socket = new WebSocket(`${server.url.replace('http', 'ws')}/chat/`);
  sockets.push(socket);
  const frames = new AsyncQueue<unknown>();
  socket.on('message', (data: Buffer) => frames.push(JSON.parse(data.toString('utf8'))));
  const closed = once(socket, 'close').then(([code]) => code as number);
  await once(socket, 'open');
  return {
    socket,
    next: () => frames.shift(AbortSignal.timeout(bound)),
    closed,
  };
}

class ChatConsumer extends JsonWebsocketConsumer {
  override groups = ['chat'];
  override async receiveJson(content: unknown): Promise<void> {
    const { text, type } = content as { text?: string; type?: string };
    await this.channelLayer?.groupSend('chat', { type: type ?? 'chat.message', text });
  }
  chatMessage(message: { type: string; text: string }): Promise<void> {
    return this.sendJson(message);
  }
}

async function start(logger: Logger = recordingLogger()): Promise<RunningServer> {
  const channelLayer = new InMemoryChannelLayer();
  layers.push(channelLayer);
  const app = protocolTypeRouter({ websocket: ChatConsumer.asApp({ channelLayer }) });
  const server = await serve(app, { logger });
  servers.push(server);
  return server;
}

describe('consumers over real sockets', () => {
  it('broadcasts through a group to every connection', async () => {
    const server = await start();
    const alice = await connect(server);
    const bob = await connect(server);
    alice.socket.send(JSON.stringify({ text: 'hi all' }));
    const expected = { type: 'chat.message', text: 'hi all' };
    expect(await alice.next()).toEqual(expected);
    expect(await bob.next()).toEqual(expected);
  });

  it('answers a frame that is not JSON and keeps the socket open', async () => {
    const server = await start();
    const client = await connect(server);
    client.socket.send('not json');
    expect(await client.next()).toMatchObject({ type: 'error', code: 'BAD_MESSAGE' });
    client.socket.send(JSON.stringify({ text: 'still here' }));
    expect(await client.next()).toEqual({ type: 'chat.message', text: 'still here' });
  });

  it('closes with 1011 and logs when a layer message has no handler', async () => {
    const logger = recordingLogger();
    const server = await start(logger);
    const sender = await connect(server);
    sender.socket.send(JSON.stringify({ type: 'user.joined', text: 'x' }));
    expect(await sender.closed).toBe(1011);
    expect(logger.errors.join('\n')).toMatch(
      /no handler for channel-layer message type "user.joined"/,
    );
  });
});
