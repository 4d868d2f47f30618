/**
 * The wsgate side of the echo rows: the app a user would write, run by `serve()` with its
 * defaults (the adapter's limits, heartbeat and logger included; no compression, as raw ws).
 */
import { JsonWebsocketConsumer, protocolTypeRouter, route, serve, urlRouter } from '@wsgate/server';
import { runServerEntry } from './server-entry.js';

class EchoConsumer extends JsonWebsocketConsumer {
  override async receiveJson(content: unknown): Promise<void> {
    await this.sendJson(content);
  }
}

const app = protocolTypeRouter({
  websocket: urlRouter([route('/echo/', EchoConsumer.asApp())]),
});

await runServerEntry(async () => {
  const server = await serve(app, { port: 0, host: '127.0.0.1' });
  return { port: server.port, close: () => server.close() };
});
