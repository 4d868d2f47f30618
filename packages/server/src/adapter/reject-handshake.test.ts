import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { rejectHandshake } from './reject-handshake.js';

describe('rejectHandshake', () => {
  it('writes a complete HTTP response and destroys the socket once it is flushed', async () => {
    const socket = new PassThrough();
    const closed = once(socket, 'close');
    rejectHandshake(socket, 403);
    const written = String(socket.read());
    expect(written).toBe(
      'HTTP/1.1 403 Forbidden\r\nConnection: close\r\n' +
        'Content-Type: text/plain; charset=utf-8\r\nContent-Length: 9\r\n\r\nForbidden',
    );
    await closed;
    expect(socket.destroyed).toBe(true);
  });

  it('just destroys a socket that can no longer be written', () => {
    const socket = new PassThrough();
    socket.end();
    rejectHandshake(socket, 503);
    expect(socket.destroyed).toBe(true);
  });
});
