/**
 * The baseline: `ws` on Node's http server, doing what the wsgate echo app does and nothing
 * else: parse each text message as JSON and send it back serialised.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { runServerEntry } from './server-entry.js';

await runServerEntry(async () => {
  const http = createServer();
  const wss = new WebSocketServer({ server: http, path: '/echo/', perMessageDeflate: false });
  wss.on('connection', (socket) => {
    socket.on('error', (error) => console.error('raw-ws: socket error:', error.message));
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
      socket.send(JSON.stringify(value));
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
});
