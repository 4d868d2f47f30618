/**
 * Raw WebSocket bytes for tests that need what a well-behaved client never sends: frames
 * pipelined with the handshake, invalid UTF-8, floods of empty continuations, a client that
 * never reads or never answers pings.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connect } from 'node:net';
import type { Socket } from 'node:net';

export const Opcode = { continuation: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 } as const;

/** A masked client frame. */
export function clientFrame(
  opcode: number,
  payload: Uint8Array | string = new Uint8Array(0),
  fin = true,
): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload) : Buffer.from(payload);
  const mask = randomBytes(4);
  const length = data.length;
  const header =
    length < 126
      ? Buffer.from([(fin ? 0x80 : 0) | opcode, 0x80 | length])
      : Buffer.from([(fin ? 0x80 : 0) | opcode, 0x80 | 126, length >> 8, length & 0xff]);
  const masked = Buffer.from(data.map((byte, i) => byte ^ (mask[i % 4] as number)));
  return Buffer.concat([header, mask, masked]);
}

/** A close frame from the client with `code`. */
export function clientClose(code: number): Buffer {
  const payload = Buffer.alloc(2);
  payload.writeUInt16BE(code);
  return clientFrame(Opcode.close, payload);
}

export interface ServerFrame {
  readonly fin: boolean;
  readonly opcode: number;
  readonly payload: Buffer;
}

/** The first complete (unmasked) server frame in `buffer` and its size, or null. */
export function readServerFrame(buffer: Buffer): { frame: ServerFrame; size: number } | null {
  if (buffer.length < 2) return null;
  const first = buffer[0] as number;
  let length = (buffer[1] as number) & 0x7f;
  let start = 2;
  if (length === 126) {
    if (buffer.length < 4) return null;
    length = buffer.readUInt16BE(2);
    start = 4;
  } else if (length === 127) {
    if (buffer.length < 10) return null;
    length = Number(buffer.readBigUInt64BE(2));
    start = 10;
  }
  if (buffer.length < start + length) return null;
  const frame = {
    fin: (first & 0x80) !== 0,
    opcode: first & 0x0f,
    payload: buffer.subarray(start, start + length),
  };
  return { frame, size: start + length };
}

/** The close code in a close frame's payload. */
export function closeCodeOf(frame: ServerFrame): number {
  return frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : 1005;
}

/** An HTTP/1.1 WebSocket handshake request for `path`. */
export function handshakeRequest(path: string, extraHeaders: readonly string[] = []): string {
  return [
    `GET ${path} HTTP/1.1`,
    'Host: 127.0.0.1',
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
    'Sec-WebSocket-Version: 13',
    ...extraHeaders,
    '',
    '',
  ].join('\r\n');
}

/**
 * A raw TCP client that collects everything the server sends: the HTTP response head, then
 * frames. Frames arrive through `nextFrame()`, bounded by the test's own time-out.
 */
export class RawClient {
  readonly socket: Socket;
  readonly closed: Promise<void>;
  #buffer = Buffer.alloc(0);
  #head: string | null = null;
  #waiters: Array<() => void> = [];

  private constructor(socket: Socket) {
    this.socket = socket;
    this.closed = once(socket, 'close').then(() => undefined);
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#wake();
    });
    socket.on('close', () => this.#wake());
  }

  static async connect(port: number): Promise<RawClient> {
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    return new RawClient(socket);
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** The HTTP response head (status line and headers), once it has arrived. */
  async responseHead(): Promise<string> {
    for (;;) {
      if (this.#head !== null) return this.#head;
      const end = this.#buffer.indexOf('\r\n\r\n');
      if (end !== -1) {
        this.#head = this.#buffer.subarray(0, end).toString('latin1');
        this.#buffer = this.#buffer.subarray(end + 4);
        return this.#head;
      }
      await this.#more('response head');
    }
  }

  /** The next frame after the response head. */
  async nextFrame(): Promise<ServerFrame> {
    await this.responseHead();
    for (;;) {
      const read = readServerFrame(this.#buffer);
      if (read !== null) {
        this.#buffer = this.#buffer.subarray(read.size);
        return read.frame;
      }
      await this.#more('frame');
    }
  }

  #more(what: string): Promise<void> {
    if (this.socket.closed) {
      return Promise.reject(new Error(`socket closed while waiting for a ${what}`));
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #wake(): void {
    for (const waiter of this.#waiters.splice(0)) waiter();
  }
}
