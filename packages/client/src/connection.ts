/**
 * One connection attempt. It opens the socket, runs the `auth.whoami` handshake (only its
 * answer makes a connection usable, so nothing is flushed into a socket the server is about to
 * close with a 4xxx code), keeps the heartbeat, decodes frames, and reports how it ended with
 * the `auth.error` that preceded the close.
 */
import type {
  AuthErrorMessage,
  AuthResultMessage,
  RequestId,
  ServerMessage,
  WireError,
} from '@wsgate/shared';
import { CloseCode, encodeMessage, ErrorCode, parseServerMessage } from '@wsgate/shared';
import { Heartbeat } from './heartbeat.js';
import type { OutgoingData } from './send-queue.js';
import type { WebSocketConstructor, WebSocketEventLike, WebSocketLike } from './websocket-like.js';
import { OPEN } from './websocket-like.js';

/** What one frame from the server turned out to be. */
export type IncomingFrame =
  | { readonly kind: 'app'; readonly data: string | ArrayBuffer }
  | { readonly kind: 'control'; readonly message: ServerMessage }
  | { readonly kind: 'invalid'; readonly id?: RequestId; readonly error: WireError };

/** How a connection ended. */
export interface CloseInfo {
  readonly code: number;
  readonly reason: string;
  /** The `auth.error` that announced this close, when the server sent one. */
  readonly authError?: AuthErrorMessage;
}

export interface ConnectionOptions {
  readonly WebSocket: WebSocketConstructor;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Also bounds the handshake, counted from the attempt's start. */
  readonly requestTimeoutMs: number;
  readonly heartbeatMs: number;
  readonly heartbeatTimeoutMs: number;
  readonly nextId: () => RequestId;
}

export interface ConnectionHandlers {
  /** The handshake was answered: `auth.result`, or undefined when the server refused whoami. */
  readonly ready: (result: AuthResultMessage | undefined) => void;
  readonly frame: (frame: IncomingFrame) => void;
  /** The server or the network ended it, or it went silent; not called after `close()`. */
  readonly closed: (close: CloseInfo) => void;
}

function decode(data: unknown): IncomingFrame {
  if (typeof data === 'string') {
    const parsed = parseServerMessage(data);
    return parsed.kind === 'app' ? { kind: 'app', data } : parsed;
  }
  if (data instanceof ArrayBuffer) return { kind: 'app', data };
  // Implementations that ignore binaryType ('nodebuffer' in ws) hand over a view.
  if (ArrayBuffer.isView(data)) {
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    return { kind: 'app', data: bytes.slice().buffer };
  }
  const message = 'a frame arrived as neither text nor binary data';
  return { kind: 'invalid', error: { code: ErrorCode.badMessage, message } };
}

/**
 * Listeners stay attached for the socket's life (ws throws on an `error` without a listener),
 * but once it ended or was closed nothing reaches the handlers any more.
 *
 * @example
 * const connection = new Connection(options, { ready, frame, closed });
 * connection.send('hello'); // false until the socket is open
 */
export class Connection {
  readonly #socket: WebSocketLike;
  readonly #heartbeat: Heartbeat;
  readonly #handshakeTimer: ReturnType<typeof setTimeout>;
  #handshakeId: RequestId | undefined;
  #ended = false;
  #authError: AuthErrorMessage | undefined;

  constructor(
    private readonly options: ConnectionOptions,
    private readonly handlers: ConnectionHandlers,
  ) {
    const { WebSocket, url, headers } = options;
    this.#socket =
      Object.keys(headers).length > 0
        ? new WebSocket(url, undefined, { headers: { ...headers } })
        : new WebSocket(url);
    this.#socket.binaryType = 'arraybuffer';
    this.#heartbeat = new Heartbeat({
      intervalMs: options.heartbeatMs,
      timeoutMs: options.heartbeatTimeoutMs,
      ping: () => this.send(encodeMessage({ type: 'session.ping', id: options.nextId() })),
      dead: () => this.#lost(`no answer to session.ping within ${options.heartbeatTimeoutMs} ms`),
    });
    this.#handshakeTimer = setTimeout(
      () => this.#lost(`no handshake within ${options.requestTimeoutMs} ms`),
      options.requestTimeoutMs,
    );
    this.#socket.addEventListener('open', () => this.#opened());
    this.#socket.addEventListener('message', (event) => this.#receive(event));
    this.#socket.addEventListener('close', (event) => {
      if (this.#ended) return;
      this.#end();
      this.handlers.closed({
        code: event.code ?? CloseCode.abnormal,
        reason: event.reason ?? '',
        ...(this.#authError ? { authError: this.#authError } : {}),
      });
    });
    // A close event always follows and says what can be known; browsers give errors no detail.
    this.#socket.addEventListener('error', () => undefined);
  }

  get isOpen(): boolean {
    return !this.#ended && this.#socket.readyState === OPEN;
  }

  /** Writes a frame; false when the socket is not open, so the caller can queue it instead. */
  send(data: OutgoingData): boolean {
    if (!this.isOpen) return false;
    this.#socket.send(data);
    return true;
  }

  /** Pings now (the page became visible, the browser went offline): silence ends it. */
  check(): void {
    if (this.isOpen && this.#handshakeId === undefined) this.#heartbeat.check();
  }

  /** Closes on purpose: the caller already knows, so no `closed` call follows. */
  close(code: number, reason: string): void {
    this.#end();
    this.#socket.close(code, reason);
  }

  #opened(): void {
    if (this.#ended) return;
    this.#handshakeId = this.options.nextId();
    this.send(encodeMessage({ type: 'auth.whoami', id: this.#handshakeId }));
  }

  #receive(event: WebSocketEventLike): void {
    if (this.#ended) return;
    this.#heartbeat.alive();
    const frame = decode(event.data);
    if (frame.kind === 'control' && frame.message.type === 'auth.error') {
      this.#authError = frame.message;
    }
    if (this.#handshakeId !== undefined && this.#answersHandshake(frame)) {
      clearTimeout(this.#handshakeTimer);
      this.#handshakeId = undefined;
      this.#heartbeat.start();
      const isResult = frame.kind === 'control' && frame.message.type === 'auth.result';
      return this.handlers.ready(isResult ? frame.message : undefined);
    }
    this.handlers.frame(frame);
  }

  /** An `auth.result`, or an `error` from a server that does not know whoami, with our id. */
  #answersHandshake(frame: IncomingFrame): boolean {
    if (frame.kind === 'invalid') return frame.id === this.#handshakeId;
    if (frame.kind !== 'control') return false;
    const { message } = frame;
    return (
      (message.type === 'auth.result' || message.type === 'error') &&
      message.id === this.#handshakeId
    );
  }

  /** A link that stopped answering: a closing handshake on it would wait in vain. */
  #lost(reason: string): void {
    if (this.#ended) return;
    this.#end();
    if (this.#socket.terminate) this.#socket.terminate();
    else this.#socket.close();
    this.handlers.closed({ code: CloseCode.abnormal, reason });
  }

  #end(): void {
    this.#ended = true;
    clearTimeout(this.#handshakeTimer);
    this.#heartbeat.stop();
  }
}
