import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import type { DefaultEventsMap, ServerOptions } from 'socket.io';
import type { RunningServer } from './server-entry.js';

/** A Socket.IO server whose sockets carry `SocketData` in `socket.data`. */
export type SocketIoServer<SocketData> = Server<
  DefaultEventsMap,
  DefaultEventsMap,
  DefaultEventsMap,
  SocketData
>;

/**
 * Socket.IO 4.8 on Node's http server at 127.0.0.1, set up as the comparison needs, then as
 * `setUp` says (middleware, handlers). `options` adds to or overrides the comparison's:
 *
 * - WebSocket only. Socket.IO's default starts on HTTP long-polling and upgrades, which costs
 *   extra HTTP requests per connection; an application that knows its clients have WebSocket
 *   turns polling off, and the others here are one upgrade per connection too.
 * - No compression, as raw ws and wsgate (permessage-deflate is off by default; said anyway).
 * - Served at `/echo/`, the engine path, so every server of a row has the same URL.
 *
 * @example
 * await runServerEntry(() => serveSocketIo({}, (io) => io.on('connection', handle)));
 */
export async function serveSocketIo<SocketData = unknown>(
  options: Partial<ServerOptions>,
  setUp: (io: SocketIoServer<SocketData>) => void,
): Promise<RunningServer> {
  const http = createServer();
  const io: SocketIoServer<SocketData> = new Server(http, {
    path: '/echo/',
    transports: ['websocket'],
    perMessageDeflate: false,
    serveClient: false,
    ...options,
  });
  setUp(io);
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: (http.address() as AddressInfo).port,
    // Disconnects every socket, then closes the engine and the http server.
    close: () => io.close(),
  };
}
