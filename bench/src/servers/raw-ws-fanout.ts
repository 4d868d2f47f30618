/**
 * The fan-out rows' reference: `ws` on Node's http server, a message from any client parsed
 * as JSON and sent, serialised once, to every open connection in a plain loop. What a group
 * send costs with no channel layer, no consumer and no copy per member.
 */
import { WebSocket } from 'ws';
import { startRawWsServer } from './raw-ws-server.js';
import { runServerEntry } from './server-entry.js';

await runServerEntry(() =>
  startRawWsServer('/fanout/', (value, _socket, server) => {
    const text = JSON.stringify(value);
    for (const member of server.clients) {
      if (member.readyState === WebSocket.OPEN) member.send(text);
    }
  }),
);
