/**
 * The LoadClient of `socket.io` targets: socket.io-client 4.8 as an application would use it,
 * WebSocket only (no long-polling first, no upgrade: one upgrade per connection, like the
 * others'), one Manager per connection, no reconnection. A message is the event named by its
 * `type`, with the message as the argument; every event from the server is a reply.
 *
 * It costs the load generator several times the lean client's CPU per connection, so with
 * one load core the rate rows can be the client's limit; the server's CPU per operation is not.
 */
import { io } from 'socket.io-client';
import type { Socket } from 'socket.io-client';
import type { LoadClient, LoadConnection, LoadMessage } from './load-client.js';
import { ConnectFailure } from './lean-socket.js';

/** The `ws` WebSocket under engine.io-client's websocket transport (in Node), as used here. */
interface TransportWebSocket {
  readonly readyState: number;
  once(event: 'close', listener: (code: number) => void): unknown;
  terminate(): void;
}

/** ws's readyState once its 'close' event has been emitted. */
const closed = 3;

/**
 * engine.io-client reports a close as soon as it sent the close frame, while the lean client
 * waits for the server's answer and the end of the TCP connection. For the same connections
 * in flight (and the same work for the server before the next one starts) this waits on the
 * transport's WebSocket too, which the typings leave out: checked here, not assumed. Undefined
 * once it ended: a transport the server closed keeps its WebSocket, whose 'close' is past.
 */
function transportWebSocket(socket: Socket): TransportWebSocket | undefined {
  const { ws } = socket.io.engine.transport as unknown as { ws?: unknown };
  if (ws === null || ws === undefined) return undefined;
  const candidate = ws as Partial<TransportWebSocket>;
  if (
    typeof candidate.once !== 'function' ||
    typeof candidate.terminate !== 'function' ||
    typeof candidate.readyState !== 'number'
  ) {
    throw new Error(
      'bench: engine.io-client no longer keeps its ws WebSocket in transport.ws; update socket-io-load-client.ts.',
    );
  }
  return candidate.readyState === closed ? undefined : (candidate as TransportWebSocket);
}

/** `Name: value\r\n` lines as socket.io-client's extraHeaders. */
function headersOf(head: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon)] = line.slice(colon + 1).trim();
  }
  return headers;
}

class SocketIoConnection implements LoadConnection {
  onMessage: ((message: unknown) => void) | undefined;
  onClose: ((reason: string) => void) | undefined;
  readonly #socket: Socket;
  #closing = false;

  constructor(socket: Socket) {
    this.#socket = socket;
    socket.onAny((_event: string, message: unknown) => this.onMessage?.(message));
    socket.on('disconnect', (reason) => this.onClose?.(`disconnected (${reason})`));
  }

  get isOpen(): boolean {
    return this.#socket.connected && !this.#closing;
  }

  send(message: LoadMessage): void {
    this.#socket.emit(message.type, message);
  }

  close(timeoutMs: number): Promise<string | undefined> {
    this.#closing = true;
    const ws = transportWebSocket(this.#socket);
    if (ws === undefined) {
      // The transport already ended: the server closed first.
      this.#socket.disconnect();
      return Promise.resolve('closed by the server first');
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => ws.terminate(), timeoutMs);
      ws.once('close', (code) => {
        clearTimeout(timer);
        // The client closes without a code (1005); the server answers in kind.
        resolve(
          code === 1005 || code === 1000
            ? undefined
            : code === 1006
              ? 'close not clean (no close frame back in time)'
              : `closed with ${code}`,
        );
      });
      // A namespace disconnect packet, then (the Manager's only socket) the transport's close.
      this.#socket.disconnect();
    });
  }
}

/**
 * A LoadClient for the Socket.IO server whose engine path is `url`'s
 * (`ws://host:port/path/`), on its main namespace.
 *
 * @example
 * const connection = await socketIoLoadClient(url, { Origin: 'http://localhost' }).open(5_000);
 */
export function socketIoLoadClient(
  url: string,
  headers: Readonly<Record<string, string>>,
): LoadClient {
  const { host, pathname } = new URL(url);
  const origin = `http://${host}`;
  return {
    open: (timeoutMs, extraHead = '') =>
      new Promise<LoadConnection>((resolve, reject) => {
        const socket = io(origin, {
          path: pathname,
          transports: ['websocket'],
          reconnection: false,
          forceNew: true,
          timeout: timeoutMs,
          extraHeaders: { ...headers, ...headersOf(extraHead) },
        });
        const fail = (reason: string): void => {
          clearTimeout(timer);
          socket.off();
          socket.disconnect();
          reject(new ConnectFailure(reason));
        };
        const timer = setTimeout(() => fail(`no connect within ${timeoutMs} ms`), timeoutMs);
        // `connect` fires once the namespace connected: the server's middleware passed.
        socket.once('connect', () => {
          clearTimeout(timer);
          socket.off();
          resolve(new SocketIoConnection(socket));
        });
        socket.once('connect_error', (error) => fail(`connect_error: ${error.message}`));
      }),
  };
}
