/**
 * The fan-out rows' reference: `ws` on Node's http server, a message from any client parsed
 * as JSON and sent, serialised once, to every open connection in a plain loop. What a group
 * send costs with no channel layer, no consumer and no copy per member.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { runServerEntry } from './server-entry.js';

await runServerEntry(async () => {
  const http = createServer();
  const wss = new WebSocketServer({ server: http, path: '/fanout/', perMessageDeflate: false });
  wss.on('connection', (socket) => {
    socket.on('error', (error) => console.error('raw-ws-fanout: socket error:', error.message));
    socket.on('message', (data, isBinary) => {
      if (isBinary) {
        socket.close(1003, 'text frames only');
        return;
      }
      let text: string;
      try {
        text = JSON.stringify(JSON.parse((data as Buffer).toString()));
      } catch {
        socket.close(1007, 'invalid JSON');
        return;
      }
      for (const member of wss.clients) {
        if (member.readyState === WebSocket.OPEN) member.send(text);
      }
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
