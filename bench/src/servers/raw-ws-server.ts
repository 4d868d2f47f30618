/**
 * What the raw `ws` servers share: `ws` on Node's http server at one path, on 127.0.0.1 and a
 * free port, without compression, taking JSON in text frames (a binary frame is closed 1003,
 * a frame that is not JSON 1007). Each one differs only in what it does with a message.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import type { RunningServer } from './server-entry.js';

/**
 * Starts the server; `onJson` gets each message, parsed, with its socket and the server (whose
 * `clients` a broadcast loops over).
 *
 * @example
 * await runServerEntry(() =>
 *   startRawWsServer('/echo/', (value, socket) => socket.send(JSON.stringify(value))),
 * );
 */
export async function startRawWsServer(
  path: string,
  onJson: (value: unknown, socket: WebSocket, server: WebSocketServer) => void,
): Promise<RunningServer> {
  const http = createServer();
  const wss = new WebSocketServer({ server: http, path, perMessageDeflate: false });
  wss.on('connection', (socket) => {
    socket.on('error', (error) => console.error(`raw ws ${path}: socket error:`, error.message));
    socket.on('message', (data, isBinary) => {
      if (isBinary) {
        socket.close(1003, 'text frames only');
        return;
      }
      let value: unknown;
      try {
        // binaryType is ws's default, 'nodebuffer', so a message is one Buffer.
        value = JSON.parse((data as Buffer).toString());
      } catch {
        socket.close(1007, 'invalid JSON');
        return;
      }
      onJson(value, socket, wss);
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: (http.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const socket of wss.clients) socket.terminate();
        wss.close();
        http.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
