/**
 * The Socket.IO side of the echo rows: what a Socket.IO 4.8 application would write for the
 * wsgate echo app, with no origin check (as the wsgate echo app has none). Each `echo` event
 * is emitted back with the value it carried: Socket.IO parses the packet's JSON and
 * serialises the value again, as JsonWebsocketConsumer's receiveJson and sendJson do.
 *
 * An emit, not an acknowledgement: the consumer sends a message back with no reference to
 * the one it answers, and an emit is that. An ack callback would add an id to both packets
 * and a callback each side holds per message, which the others do not pay.
 */
import { runServerEntry } from './server-entry.js';
import { serveSocketIo } from './serve-socket-io.js';

await runServerEntry(() =>
  serveSocketIo({}, (io) => {
    io.on('connection', (socket) => {
      socket.on('echo', (message: unknown) => {
        socket.emit('echo', message);
      });
    });
  }),
);
