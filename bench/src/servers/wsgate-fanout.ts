/**
 * The wsgate side of the fan-out rows: every connection's consumer joins one group, and a
 * message from any client is sent to the whole group with one `groupSend`, which each member
 * passes on to its client, as a chat room does. `--layer memory` uses InMemoryChannelLayer;
 * `--layer redis` uses RedisChannelLayer on 127.0.0.1:6379 under a prefix of its own, deleted
 * when the server stops. Without Redis the server does not start, and says why.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import {
  InMemoryChannelLayer,
  JsonWebsocketConsumer,
  protocolTypeRouter,
  RedisChannelLayer,
  route,
  serve,
  urlRouter,
} from '@wsgate/server';
import type { ChannelLayer, ChannelLayerMessage } from '@wsgate/server';
import { runServerEntry } from './server-entry.js';

const { values: flags } = parseArgs({ options: { layer: { type: 'string' } } });
const redisUrl = 'redis://127.0.0.1:6379';
/** How long the start-up check waits for Redis before the bench fails. */
const redisTimeoutMs = 3_000;

const group = 'fanout';

interface FanoutMessage extends ChannelLayerMessage {
  readonly type: 'fanout.message';
  readonly content: unknown;
}

class FanoutConsumer extends JsonWebsocketConsumer {
  override groups = [group];

  override async receiveJson(content: unknown): Promise<void> {
    const message: FanoutMessage = { type: 'fanout.message', content };
    await this.channelLayer!.groupSend(group, message);
  }

  async fanoutMessage(message: FanoutMessage): Promise<void> {
    await this.sendJson(message.content);
  }
}

async function openLayer(): Promise<ChannelLayer> {
  if (flags.layer === 'memory') return new InMemoryChannelLayer();
  if (flags.layer !== 'redis') {
    throw new Error(
      `bench: wsgate-fanout takes --layer memory or --layer redis, got '${flags.layer}'.`,
    );
  }
  // A prefix of its own, so neither a run nor a test sharing this Redis sees the other's keys.
  const prefix = `wsgate-bench-${process.pid}-${randomBytes(4).toString('hex')}`;
  const layer = new RedisChannelLayer({
    url: redisUrl,
    prefix,
    commandTimeout: redisTimeoutMs,
    // Far longer than a run; a run killed before its flush leaves keys that expire by then.
    groupExpiry: 600,
  });
  try {
    // The first command that needs Redis: it answers, or the layer gives up after the time-out.
    await layer.flush();
  } catch (error) {
    await layer.close();
    throw new Error(
      `bench: the fan-out rows need Redis at ${redisUrl}, which did not answer within ${redisTimeoutMs} ms ` +
        `(${error instanceof Error ? error.message : String(error)}). Start redis-server, or leave the ` +
        'rows out with --only.',
    );
  }
  return layer;
}

await runServerEntry(async () => {
  const channelLayer = await openLayer();
  const app = protocolTypeRouter({
    websocket: urlRouter([route('/fanout/', FanoutConsumer.asApp({ channelLayer }))]),
  });
  const server = await serve(app, { port: 0, host: '127.0.0.1' });
  return {
    port: server.port,
    close: async () => {
      await server.close();
      // Leaves nothing under the prefix: every consumer left the group, and flush takes the rest.
      await channelLayer.flush();
      await channelLayer.close();
    },
  };
});
