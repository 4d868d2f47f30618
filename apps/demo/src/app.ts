import {
  InMemoryChannelLayer,
  allowedHostsOriginValidator,
  protocolTypeRouter,
  route,
  urlRouter,
} from '@wsgate/server';
import type { Application, ChannelLayer } from '@wsgate/server';
import { ChatConsumer } from './chat-consumer.js';
import { staticFiles } from './static-files.js';

export interface DemoOptions {
  /** Hosts whose pages may open sockets (Django's ALLOWED_HOSTS syntax). */
  readonly allowedHosts?: readonly string[];
  readonly channelLayer?: ChannelLayer;
}

/** The demo's whole stack: pages over HTTP, chat rooms over WebSocket. */
export async function createDemoApp(options: DemoOptions = {}): Promise<Application> {
  const channelLayer = options.channelLayer ?? new InMemoryChannelLayer();
  return protocolTypeRouter({
    http: await staticFiles(new URL('../public/', import.meta.url), [
      'index.html',
      'app.js',
      'app.css',
    ]),
    websocket: allowedHostsOriginValidator(
      urlRouter([route('/ws/chat/:room/', ChatConsumer.asApp({ channelLayer }))]),
      options.allowedHosts ?? ['localhost', '127.0.0.1', '[::1]'],
    ),
  });
}
