/**
 * A minimal WebSocket client for load generation: the same bytes on the wire as any client
 * (an HTTP/1.1 upgrade, masked frames, a closing handshake), at a fraction of a full client's
 * CPU, so that on a small machine the server, not the load generator, is what runs out first.
 * It speaks only what the benchmarks need: unfragmented text frames, ping, close.
 */
import { randomBytes, randomFillSync } from 'node:crypto';
import { connect } from 'node:net';
import type { Socket } from 'node:net';

/** Why a connection attempt failed, short enough to tally by. */
export class ConnectFailure extends Error {
  override readonly name = 'ConnectFailure';
}

/** Where to connect, parsed once per run rather than once per connection. */
export interface LeanTarget {
  readonly host: string;
  readonly port: number;
  /** The upgrade request up to (not including) its Sec-WebSocket-Key line. */
  readonly requestHead: string;
}

const opcode = { text: 0x1, close: 0x8, ping: 0x9, pong: 0xa } as const;

/**
 * Parses a `ws://host:port/path` URL into a LeanTarget; `headers` (an Origin, say) go on every
 * upgrade request to it.
 */
export function leanTarget(
  url: string,
  headers: Readonly<Record<string, string>> = {},
): LeanTarget {
  const parsed = new URL(url);
  if (parsed.protocol !== 'ws:' || parsed.port === '') {
    throw new Error(`bench: the load client needs a ws://host:port/path URL, got ${url}.`);
  }
  return {
    host: parsed.hostname,
    port: Number(parsed.port),
    requestHead:
      `GET ${parsed.pathname}${parsed.search} HTTP/1.1\r\nHost: ${parsed.host}\r\n` +
      'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n' +
      Object.entries(headers)
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join(''),
  };
}

/** A client frame: FIN set, masked with a fresh key, as RFC 6455 requires of clients. */
function maskedFrame(code: number, payload: Uint8Array): Buffer {
  const length = payload.length;
  const header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + 4 + length);
  frame[0] = 0x80 | code;
  if (length < 126) {
    frame[1] = 0x80 | length;
  } else if (length < 65_536) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  randomFillSync(frame, header, 4);
  for (let index = 0; index < length; index++) {
    frame[header + 4 + index] = payload[index]! ^ frame[header + (index & 3)]!;
  }
  return frame;
}

const endOfHead = Buffer.from('\r\n\r\n');

/**
 * One open connection. Handlers are plain properties rather than events: the echo loop swaps
 * them per run, and an emitter would cost more than the work it reports.
 *
 * @example
 * const socket = await LeanSocket.open(leanTarget('ws://127.0.0.1:4000/echo/'), 5_000);
 * socket.onText = (payload) => console.log(payload.toString());
 * socket.sendText(Buffer.from('{"hello":1}'));
 * await socket.close(5_000);
 */
export class LeanSocket {
  /** Each text message, as a view that is valid only during the call. */
  onText: ((payload: Buffer) => void) | undefined;
  /** The connection ended: the server's close code, or 1006 without a close frame. */
  onClose: ((code: number) => void) | undefined;
  readonly #socket: Socket;
  readonly #closed: Promise<void>;
  #pending: Buffer | undefined;
  #closeSent = false;
  #closeCode: number | undefined;

  private constructor(socket: Socket, rest: Buffer) {
    this.#socket = socket;
    this.#closed = new Promise((resolve) => {
      socket.once('close', () => {
        const code = this.#closeCode ?? 1006;
        this.#closeCode = code;
        this.onClose?.(code);
        resolve();
      });
    });
    // Failures surface as a close without a close frame (1006), which the caller counts.
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    if (rest.length > 0) this.#onData(rest);
  }

  /**
   * Connects and completes the upgrade; rejects with a ConnectFailure, leaving no socket.
   * `extraHead` is header lines for this connection only, each ending in CRLF (a Cookie, say).
   */
  static open(target: LeanTarget, timeoutMs: number, extraHead = ''): Promise<LeanSocket> {
    return new Promise<LeanSocket>((resolve, reject) => {
      const socket = connect({ host: target.host, port: target.port, noDelay: true });
      let head: Buffer = Buffer.alloc(0);
      const fail = (reason: string): void => {
        clearTimeout(timer);
        socket.removeAllListeners();
        socket.on('error', () => {});
        socket.destroy();
        reject(new ConnectFailure(reason));
      };
      const timer = setTimeout(() => fail(`no upgrade within ${timeoutMs} ms`), timeoutMs);
      socket.on('error', (error: NodeJS.ErrnoException) => fail(error.code ?? error.message));
      socket.on('close', () => fail('connection closed during the upgrade'));
      socket.on('data', (chunk: Buffer) => {
        head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
        const end = head.indexOf(endOfHead);
        if (end === -1) return;
        const status = head.toString('latin1', 0, head.indexOf('\r\n'));
        if (!status.startsWith('HTTP/1.1 101 ')) {
          fail(`${status.slice(0, 'HTTP/1.1 ddd'.length)} instead of 101`);
          return;
        }
        clearTimeout(timer);
        socket.removeAllListeners();
        resolve(new LeanSocket(socket, head.subarray(end + endOfHead.length)));
      });
      const key = randomBytes(16).toString('base64');
      socket.write(`${target.requestHead}${extraHead}Sec-WebSocket-Key: ${key}\r\n\r\n`);
    });
  }

  /** True until a close frame went either way or the connection dropped. */
  get isOpen(): boolean {
    return !this.#closeSent && this.#closeCode === undefined;
  }

  /** The server's close code once the connection ended (1006 without a close frame). */
  get closeCode(): number | undefined {
    return this.#closeCode;
  }

  sendText(payload: Uint8Array): void {
    this.#socket.write(maskedFrame(opcode.text, payload));
  }

  /**
   * Sends close 1000 and waits for the server's close frame and the end of the connection;
   * after `timeoutMs` the connection is destroyed. Resolves with whether the server answered
   * with 1000, i.e. the closing handshake was clean.
   */
  async close(timeoutMs: number): Promise<boolean> {
    if (this.isOpen) this.#sendClose(1000);
    const timer = setTimeout(() => this.#socket.destroy(), timeoutMs);
    await this.#closed;
    clearTimeout(timer);
    return this.#closeCode === 1000;
  }

  #sendClose(code: number): void {
    this.#closeSent = true;
    const payload = Buffer.allocUnsafe(2);
    payload.writeUInt16BE(code, 0);
    this.#socket.write(maskedFrame(opcode.close, payload));
  }

  #onData(chunk: Buffer): void {
    const data = this.#pending === undefined ? chunk : Buffer.concat([this.#pending, chunk]);
    let offset = 0;
    while (data.length - offset >= 2) {
      const first = data[offset]!;
      const second = data[offset + 1]!;
      let length = second & 0x7f;
      let header = 2;
      if (length === 126) {
        if (data.length - offset < 4) break;
        length = data.readUInt16BE(offset + 2);
        header = 4;
      } else if (length === 127) {
        if (data.length - offset < 10) break;
        length = Number(data.readBigUInt64BE(offset + 2));
        header = 10;
      }
      if (data.length - offset < header + length) break;
      const payload = data.subarray(offset + header, offset + header + length);
      offset += header + length;
      if ((first & 0x80) === 0 || (second & 0x80) !== 0) {
        // A fragmented or masked server frame: not what these servers send; stop here.
        this.#socket.destroy();
        return;
      }
      this.#onFrame(first & 0x0f, payload);
    }
    this.#pending = offset < data.length ? data.subarray(offset) : undefined;
  }

  #onFrame(code: number, payload: Buffer): void {
    if (code === opcode.text) {
      this.onText?.(payload);
    } else if (code === opcode.ping) {
      this.#socket.write(maskedFrame(opcode.pong, payload));
    } else if (code === opcode.close) {
      this.#closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
      if (!this.#closeSent) this.#sendClose(this.#closeCode === 1005 ? 1000 : this.#closeCode);
    }
  }
}
