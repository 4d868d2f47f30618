/**
 * The baseline: `ws` on Node's http server, doing what the wsgate echo app does and nothing
 * else: parse each text message as JSON and send it back serialised.
 */
import { startRawWsServer } from './raw-ws-server.js';
import { runServerEntry } from './server-entry.js';

await runServerEntry(() =>
  startRawWsServer('/echo/', (value, socket) => socket.send(JSON.stringify(value))),
);
