/**
 * The one way a WebSocket handshake is refused before the upgrade: an HTTP response written on
 * the raw socket, then the socket is gone. Keeping every refusal here keeps them uniform
 * (status line, `Connection: close`, a short body) and guarantees the socket is released.
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Writes `status` with a plain-text body on the raw upgrade socket and destroys it once the
 * response is flushed (at once if the socket can no longer be written).
 *
 * @example
 * server.on('upgrade', (req, socket) => rejectHandshake(socket, 403));
 */
export function rejectHandshake(socket: Duplex, status: number): void {
  if (!socket.writable || socket.destroyed) {
    socket.destroy();
    return;
  }
  const body = STATUS_CODES[status] ?? 'Error';
  const lines = [
    `HTTP/1.1 ${status} ${body}`,
    'Connection: close',
    'Content-Type: text/plain; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
  ];
  socket.once('finish', () => socket.destroy());
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
}
