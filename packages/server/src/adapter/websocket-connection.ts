/**
 * One WebSocket, from the `upgrade` event to the last frame: runs the application, turns its
 * events into a handshake decision and frames, and turns the socket into events for it. The
 * upgrade completes only when the application accepts; until then the client is waiting on an
 * HTTP response, which is how a refusal can still be a plain 403.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { CloseCode, closeCodes, encodeMessage } from '@wsgate/shared';
import type { Application, WebSocketInboundEvent, WebSocketScope } from '@wsgate/shared';
import type WebSocket from 'ws';
import { ServerErrorCode, WsgateError } from '../errors.js';
import { checkWebSocketEvent } from './check-outbound-event.js';
import type {
  HandshakeDeadline,
  HandshakeDeadlines,
  HandshakeTimeoutTarget,
} from './handshake-deadlines.js';
import type { Heartbeat, Pulse } from './heartbeat.js';
import { Inbox } from './inbox.js';
import type { FlowControl } from './inbox.js';
import { OutboundFlow } from './outbound-flow.js';
import { rejectHandshake } from './reject-handshake.js';
import type { ResolvedServerOptions } from './server-options.js';
import type { Acceptance, WebSocketUpgrader } from './websocket-upgrader.js';

/** Everything the `upgrade` event handed over, plus what the server's connections share. */
export interface UpgradeRequest {
  readonly req: IncomingMessage;
  readonly socket: Duplex;
  readonly head: Buffer;
  readonly scope: WebSocketScope;
  readonly upgrader: WebSocketUpgrader;
  readonly deadlines: HandshakeDeadlines;
  readonly heartbeat: Heartbeat;
  readonly options: ResolvedServerOptions;
  /** Called once, when the socket is gone (closed, refused or terminated). */
  readonly onClosed: (connection: WebSocketConnection) => void;
}

type Phase = 'handshake' | 'open' | 'closing' | 'closed';

/**
 * The connection a socket or WebSocket belongs to. The listeners below are shared by every
 * connection and find theirs through it: a closure per listener and socket would cost each
 * open connection a function and its context for as long as it stays open.
 */
const owner = Symbol('wsgate.connection');

interface Owned {
  [owner]?: WebSocketConnection;
}

function meaningOf(code: number): string {
  const known = (closeCodes as Record<number, { meaning: string } | undefined>)[code];
  return known?.meaning ?? 'connection refused by the server';
}

function receiveEvent(data: WebSocket.RawData, isBinary: boolean): WebSocketInboundEvent {
  // ws delivers Buffers (binaryType 'nodebuffer'). Bytes are copied so a queued message does
  // not pin the whole socket read it was sliced from.
  const buffer = data as Buffer;
  return isBinary
    ? { type: 'websocket.receive', bytes: new Uint8Array(buffer) }
    : { type: 'websocket.receive', text: buffer.toString('utf8') };
}

/**
 * Runs one WebSocket application over one upgrade request.
 *
 * @example
 * const connection = new WebSocketConnection({ ...upgrade, onClosed: (c) => live.delete(c) });
 * void connection.run(app);
 */
export class WebSocketConnection implements FlowControl, HandshakeTimeoutTarget {
  readonly #socket: Duplex;
  readonly #scope: WebSocketScope;
  readonly #heartbeat: Heartbeat;
  readonly #options: ResolvedServerOptions;
  readonly #onClosed: (connection: WebSocketConnection) => void;
  readonly #inbox: Inbox<WebSocketInboundEvent>;
  /**
   * Kept only until the handshake ends: an open socket then holds neither the IncomingMessage
   * (its headers live on in the scope) nor `head` (the buffer it was sliced from).
   */
  #request: UpgradeRequest | null;
  #deadline: HandshakeDeadline | null;
  #phase: Phase = 'handshake';
  #ws: WebSocket | null = null;
  #pulse: Pulse | null = null;
  #outbound: OutboundFlow | null = null;
  #loggedLateSend = false;
  /**
   * The connection counts as live (for `close()`'s drain) until its socket is closed and its
   * application has returned, so a shutdown waits for `disconnect` handlers (a presence
   * "left" notice, say) instead of closing the channel layer under them.
   */
  #awaitingApp = true;

  constructor(request: UpgradeRequest) {
    this.#request = request;
    this.#socket = request.socket;
    this.#scope = request.scope;
    this.#heartbeat = request.heartbeat;
    this.#options = request.options;
    this.#onClosed = request.onClosed;
    this.#inbox = new Inbox(request.options.maxQueuedMessages, this);
    this.#inbox.push({ type: 'websocket.connect' });
    (request.socket as Duplex & Owned)[owner] = this;
    request.socket.on('close', WebSocketConnection.#onHandshakeSocketClose);
    this.#deadline = request.deadlines.start(this);
  }

  /** The application neither accepted nor refused within `handshakeTimeoutMs`. */
  handshakeTimedOut(): void {
    this.#log('debug', 'websocket handshake timed out: closing 4408', {
      handshakeTimeoutMs: this.#options.handshakeTimeoutMs,
    });
    this.#closeWithAuthError(CloseCode.authTimeout, '');
  }

  /**
   * Runs the application to its end; never rejects. Not async: an idle connection then waits
   * on the application through one reaction rather than a suspended frame of its own.
   */
  run(app: Application): Promise<void> {
    let running: Promise<void>;
    try {
      running = app(this.#scope, () => this.#inbox.receive(), this.#sendFromApp);
    } catch (thrown) {
      const error = thrown as Error;
      running = Promise.reject(error);
    }
    return running.then(
      () => {
        this.#returned();
        this.#appEnded();
      },
      (error: unknown) => {
        this.#failed(error);
        this.#appEnded();
      },
    );
  }

  #appEnded(): void {
    if (!this.#awaitingApp) return;
    this.#awaitingApp = false;
    if (this.#phase === 'closed') this.#onClosed(this);
  }

  #returned(): void {
    if (this.#phase === 'handshake') {
      this.#log('error', 'websocket application returned without accepting or closing');
      this.#abortHandshake(500, CloseCode.abnormal);
    } else if (this.#phase === 'open') {
      this.#closeOpen(CloseCode.normal, '');
    }
  }

  #failed(error: unknown): void {
    this.#log('error', 'websocket application failed', { error });
    if (this.#phase === 'handshake') this.#abortHandshake(500, CloseCode.abnormal);
    else if (this.#phase === 'open') this.#closeOpen(CloseCode.internalError, '');
  }

  /** The server is closing: refuse a pending handshake (503), close an open socket 1001. */
  shutdown(): void {
    if (this.#phase === 'handshake') this.#abortHandshake(503, CloseCode.goingAway);
    else if (this.#phase === 'open') this.#closeOpen(CloseCode.goingAway, 'server shutting down');
  }

  /** Drops the connection at once, without a closing handshake (dead, stuck or out of time). */
  terminate(): void {
    if (this.#phase === 'open') this.#phase = 'closing';
    if (this.#ws) this.#ws.terminate();
    else this.#socket.destroy();
    // Out of time: an application still running is no longer waited for.
    this.#appEnded();
  }

  /** Stops reading frames: the inbox is full, so TCP pushes back on the client. */
  pause(): void {
    this.#ws?.pause();
  }

  /** Reads frames again: the application caught up. */
  resume(): void {
    this.#ws?.resume();
  }

  /**
   * The application's `send`. Not async: a frame below the high-water mark then costs no
   * promise beyond the settled one OutboundFlow hands back, which passes through as it is.
   */
  readonly #sendFromApp = (event: unknown): Promise<void> => {
    try {
      return Promise.resolve(this.#send(event));
    } catch (thrown) {
      // A bad event rejects the application's send() rather than throwing from it.
      const error = thrown as Error;
      return Promise.reject(error);
    }
  };

  #send(event: unknown): Promise<void> | undefined {
    const checked = checkWebSocketEvent(event, this.#scope.subprotocols);
    const ws = this.#ws;
    if (
      this.#phase === 'closing' ||
      this.#phase === 'closed' ||
      (ws && ws.readyState !== ws.OPEN)
    ) {
      // The application learns of the close through websocket.disconnect; once is enough here.
      if (!this.#loggedLateSend) this.#log('debug', `ignored ${checked.type} after close`);
      this.#loggedLateSend = true;
      return;
    }
    if (this.#phase === 'handshake') {
      if (checked.type === 'websocket.accept') this.#upgrade(checked);
      else if (checked.type === 'websocket.close') this.#refuse(checked.code, checked.reason);
      else {
        throw new WsgateError(
          ServerErrorCode.protocolViolation,
          'websocket.send before websocket.accept: accept the connection first, or close it to refuse.',
        );
      }
      return;
    }
    if (checked.type === 'websocket.send') return this.#outbound?.send(checked.data);
    if (checked.type === 'websocket.close') {
      this.#closeOpen(checked.code ?? 1000, checked.reason);
      return;
    }
    throw new WsgateError(
      ServerErrorCode.protocolViolation,
      'websocket.accept sent twice: the connection is already accepted.',
    );
  }

  /**
   * A close before accept. With a 4xxx code, or 1013 (try again later: the server cannot serve
   * it for now), the client is told why; any other is a plain HTTP 403, as in Channels.
   */
  #refuse(code: number | undefined, reason: string): void {
    if (
      code !== undefined &&
      ((code >= 4000 && code <= 4999) || code === CloseCode.tryAgainLater)
    ) {
      this.#closeWithAuthError(code, reason);
      return;
    }
    this.#log('debug', 'websocket refused by the application: HTTP 403', { code });
    this.#abortHandshake(403, CloseCode.abnormal);
  }

  /** Completes the upgrade only to say why the socket closes, which a browser can then read. */
  #closeWithAuthError(code: number, reason: string): void {
    // A browser fails a handshake that offered subprotocols and got none back, and would see
    // 1006 instead of the code; choosing the first offered one lets the reason through.
    const ws = this.#upgrade({
      subprotocol: this.#scope.subprotocols[0] ?? null,
      headers: [],
    });
    if (ws === null) return;
    ws.send(encodeMessage({ type: 'auth.error', code, message: reason || meaningOf(code) }));
    this.#closeOpen(code, reason);
  }

  #upgrade(acceptance: Acceptance): WebSocket | null {
    const request = this.#request;
    this.#endHandshake();
    const ws =
      request && request.upgrader.complete(request.req, this.#socket, request.head, acceptance);
    if (ws === null) {
      this.#log('debug', 'client went away before the upgrade completed');
      this.#finish(CloseCode.abnormal);
      return null;
    }
    this.#open(ws);
    return ws;
  }

  #open(ws: WebSocket): void {
    this.#ws = ws;
    this.#phase = 'open';
    (ws as WebSocket & Owned)[owner] = this;
    this.#pulse = this.#heartbeat.watch(ws, WebSocketConnection.#onDeadLink);
    ws.on('message', WebSocketConnection.#onMessage);
    ws.on('close', WebSocketConnection.#onClose);
    ws.on('error', WebSocketConnection.#onError);
    this.#outbound = new OutboundFlow(
      ws,
      this.#socket,
      this.#options,
      WebSocketConnection.#onStuck,
    );
  }

  static readonly #onMessage = function (
    this: WebSocket & Owned,
    data: WebSocket.RawData,
    isBinary: boolean,
  ): void {
    const connection = this[owner] as WebSocketConnection;
    (connection.#pulse as Pulse).alive = true;
    connection.#inbox.push(receiveEvent(data, isBinary));
  };

  static readonly #onClose = function (this: WebSocket & Owned, code: number, reason: Buffer) {
    (this[owner] as WebSocketConnection).#finish(code, reason.toString());
  };

  static readonly #onError = function (this: WebSocket & Owned, error: Error & { code?: string }) {
    (this[owner] as WebSocketConnection).#log(
      'debug',
      `websocket closed on a protocol error: ${error.message}`,
      {
        code: error.code,
      },
    );
  };

  static readonly #onDeadLink = (ws: WebSocket & Owned): void => {
    const connection = ws[owner] as WebSocketConnection;
    connection.#log('debug', 'no pong since the last ping: terminating a dead link');
    connection.terminate();
  };

  static readonly #onStuck = (why: string, bufferedAmount: number, ws: WebSocket & Owned) => {
    const connection = ws[owner] as WebSocketConnection;
    connection.#log('warn', `terminating a slow reader: ${why}`, { bufferedAmount });
    connection.terminate();
  };

  static readonly #onHandshakeSocketClose = function (this: Duplex & Owned): void {
    const connection = this[owner] as WebSocketConnection;
    connection.#log('debug', 'client went away during the handshake');
    connection.#finish(CloseCode.abnormal);
  };

  #closeOpen(code: number, reason: string): void {
    this.#phase = 'closing';
    this.#ws?.close(code, reason);
  }

  #abortHandshake(status: number, code: number): void {
    this.#endHandshake();
    rejectHandshake(this.#socket, status);
    this.#finish(code);
  }

  #endHandshake(): void {
    if (this.#request === null) return;
    this.#request.deadlines.cancel(this.#deadline as HandshakeDeadline);
    this.#request = null;
    this.#deadline = null;
    this.#socket.off('close', WebSocketConnection.#onHandshakeSocketClose);
  }

  #finish(code: number, reason = ''): void {
    if (this.#phase === 'closed') return;
    this.#phase = 'closed';
    this.#endHandshake();
    if (this.#ws) this.#heartbeat.unwatch(this.#ws);
    this.#outbound?.stop();
    this.#inbox.end(
      reason === ''
        ? { type: 'websocket.disconnect', code }
        : { type: 'websocket.disconnect', code, reason },
    );
    if (!this.#awaitingApp) this.#onClosed(this);
  }

  #log(level: 'debug' | 'warn' | 'error', message: string, details: Record<string, unknown> = {}) {
    this.#options.logger[level](message, { path: this.#scope.path, ...details });
  }
}
