/// <reference types="node" />
/**
 * A small server that speaks wsgate's in-socket protocol, built on `ws` and node:http directly,
 * for the client's integration tests: a real peer over loopback, not a mock. It keeps sessions
 * in memory (cookie `sid`), answers auth.login/logout/whoami, session.refresh and session.ping,
 * exchanges tickets at `/wsgate/session`, and lets a test refuse handshakes with a close code,
 * close live sockets, send raw frames, stop answering, or stop and come back on the same port.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ClientMessage, WireUser } from '@wsgate/shared';
import { encodeMessage, ErrorCode, parseClientMessage } from '@wsgate/shared';
import type { RawData, WebSocket } from 'ws';
import { WebSocketServer } from 'ws';

interface Session {
  readonly id: string;
  user: WireUser | null;
  expiresAt: number;
}

/** One accepted socket, as the server sees it. */
export interface ServerConnection {
  readonly socket: WebSocket;
  /** The upgrade request's headers (to check the Cookie and Origin the client sent). */
  readonly headers: IncomingMessage['headers'];
  session: Session;
  /** Application frames received, in order (control messages are answered, not recorded). */
  readonly received: (string | Buffer)[];
  /** Control message types received, in order. */
  readonly control: ClientMessage['type'][];
}

/** How to refuse the next handshake: upgrade, `auth.error`, close with `code` (DESIGN.md). */
export interface Refusal {
  readonly code: number;
  readonly message: string;
  readonly retryAfterMs?: number;
}

export interface ProtocolServerOptions {
  /** The Origin the session endpoint accepts; any Origin (or none) when unset. */
  readonly allowedOrigin?: string;
  /** Session lifetime in ms. */
  readonly ttlMs?: number;
}

const users: Record<string, { password: string; user: WireUser }> = {
  ada: { password: 'lovelace', user: { id: 1, name: 'Ada' } },
  grace: { password: 'hopper', user: { id: 2, name: 'Grace' } },
};

function text(data: RawData): string {
  return Buffer.isBuffer(data) ? data.toString() : Buffer.from(data as ArrayBuffer).toString();
}

export class ProtocolServer {
  readonly connections: ServerConnection[] = [];
  /** The headers of every handshake, refused ones included, in order. */
  readonly handshakes: IncomingMessage['headers'][] = [];
  /** Handshakes to refuse, first one first. */
  readonly refusals: Refusal[] = [];
  /** Answers to ticket exchanges: status codes, in order (e.g. [401] to refuse the next one). */
  readonly ticketStatuses: number[] = [];
  /** Whether to answer control requests (pings included); false simulates a hung server. */
  answering = true;
  readonly #sessions = new Map<string, Session>();
  readonly #tickets = new Map<string, Session>();
  readonly #waiters: (() => void)[] = [];
  #http: Server;
  #wss: WebSocketServer;
  #port = 0;

  private constructor(private readonly options: ProtocolServerOptions) {
    [this.#http, this.#wss] = this.#servers();
  }

  /** Listens on a free port of 127.0.0.1. */
  static async start(options: ProtocolServerOptions = {}): Promise<ProtocolServer> {
    const server = new ProtocolServer(options);
    await server.#listen(0);
    return server;
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}/ws/`;
  }

  /** The newest connection. */
  get last(): ServerConnection {
    const connection = this.connections.at(-1);
    if (!connection) throw new Error('no connection yet');
    return connection;
  }

  /** Resolves with connection number `index` (0-based) once it exists. */
  connection(index: number): Promise<ServerConnection> {
    const existing = this.connections[index];
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve) => {
      const check = (): void => {
        const connection = this.connections[index];
        if (connection) resolve(connection);
        else this.#waiters.push(check);
      };
      this.#waiters.push(check);
    });
  }

  /** Sends a raw text or binary frame to a connection. */
  sendRaw(connection: ServerConnection, data: string | Buffer): void {
    connection.socket.send(data);
  }

  /** Sends a protocol message, optionally an `auth.error` first, then closes with `code`. */
  closeWith(connection: ServerConnection, code: number, authError?: Omit<Refusal, 'code'>): void {
    if (authError) {
      connection.socket.send(encodeMessage({ type: 'auth.error', code, ...authError }));
    }
    connection.socket.close(code, authError?.message.slice(0, 100) ?? '');
  }

  /** Logs the session out everywhere, as wsgate's revocation does, and tells its sockets. */
  revoke(session: Session, reason: string): void {
    session.user = null;
    for (const connection of this.connections) {
      if (connection.session === session) {
        connection.socket.send(encodeMessage({ type: 'auth.revoked', reason }));
      }
    }
  }

  /** Stops reading a connection: it neither answers pings nor sees frames, like a dead peer. */
  pause(connection: ServerConnection): void {
    connection.socket.pause();
  }

  /**
   * Drops every socket without a closing handshake (the client sees 1006) and stops listening,
   * as a crashed process does. Idempotent.
   */
  async close(): Promise<void> {
    if (!this.#http.listening) return;
    for (const client of this.#wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
    this.#http.closeAllConnections();
    await new Promise<void>((resolve) => this.#http.close(() => resolve()));
  }

  /**
   * Listens again on the same port after `close()`, as a restarted process does. Sessions and
   * what was recorded (connections, handshakes) carry over, as a session store would.
   */
  async restart(): Promise<void> {
    [this.#http, this.#wss] = this.#servers();
    await this.#listen(this.#port);
  }

  #servers(): [Server, WebSocketServer] {
    const http = createServer();
    const wss = new WebSocketServer({ server: http, path: '/ws/' });
    http.on('request', (request, response) => this.#sessionEndpoint(request, response));
    wss.on('connection', (socket, request) => this.#accept(socket, request));
    return [http, wss];
  }

  async #listen(port: number): Promise<void> {
    await new Promise<void>((resolve) => this.#http.listen(port, '127.0.0.1', resolve));
    this.#port = (this.#http.address() as AddressInfo).port;
  }

  #newSession(): Session {
    const session = {
      id: randomUUID(),
      user: null,
      expiresAt: Date.now() + (this.options.ttlMs ?? 60_000),
    };
    this.#sessions.set(session.id, session);
    return session;
  }

  /** Seals the session as a single-use ticket and pushes it, as `session.save()` does. */
  #pushTicket(connection: ServerConnection): void {
    const ticket = randomUUID();
    this.#tickets.set(ticket, connection.session);
    const { expiresAt } = connection.session;
    connection.socket.send(encodeMessage({ type: 'session.updated', ticket, expiresAt }));
  }

  #accept(socket: WebSocket, request: IncomingMessage): void {
    this.handshakes.push(request.headers);
    const refusal = this.refusals.shift();
    if (refusal) {
      socket.send(encodeMessage({ type: 'auth.error', ...refusal }));
      socket.close(refusal.code, refusal.message.slice(0, 100));
      return;
    }
    const sid = /(?:^|;\s*)sid=([^;]+)/.exec(request.headers.cookie ?? '')?.[1];
    const session = (sid && this.#sessions.get(sid)) || this.#newSession();
    const connection: ServerConnection = {
      socket,
      headers: request.headers,
      session,
      received: [],
      control: [],
    };
    socket.on('message', (data, isBinary) => this.#receive(connection, data, isBinary));
    this.connections.push(connection);
    for (const wake of this.#waiters.splice(0)) wake();
  }

  #receive(connection: ServerConnection, data: RawData, isBinary: boolean): void {
    if (isBinary) {
      connection.received.push(Buffer.from(data as Buffer));
      return;
    }
    const frame = parseClientMessage(text(data));
    if (frame.kind === 'app') {
      connection.received.push(text(data));
      return;
    }
    if (frame.kind === 'invalid') {
      const id = frame.id === undefined ? {} : { id: frame.id };
      connection.socket.send(encodeMessage({ type: 'error', ...id, ...frame.error }));
      return;
    }
    connection.control.push(frame.message.type);
    if (this.answering) this.#answer(connection, frame.message);
  }

  #answer(connection: ServerConnection, message: ClientMessage): void {
    const reply = (ok: boolean, extra: object = {}): void =>
      connection.socket.send(JSON.stringify({ type: 'auth.result', id: message.id, ok, ...extra }));
    switch (message.type) {
      case 'session.ping':
        return connection.socket.send(encodeMessage({ type: 'session.pong', id: message.id }));
      case 'auth.whoami':
        return reply(true, { user: connection.session.user });
      case 'auth.login': {
        const { username, password } = message.credentials as Record<string, unknown>;
        const account = typeof username === 'string' ? users[username] : undefined;
        if (!account || account.password !== password) {
          const error = {
            code: ErrorCode.invalidCredentials,
            message: 'wrong username or password',
          };
          return reply(false, { error });
        }
        // A new session id on login, as wsgate's login() does against fixation.
        connection.session = this.#newSession();
        connection.session.user = account.user;
        this.#pushTicket(connection);
        return reply(true, { user: account.user });
      }
      case 'auth.logout':
        connection.session = this.#newSession();
        this.#pushTicket(connection);
        return reply(true, { user: null });
      case 'session.refresh':
        connection.session.expiresAt = Date.now() + (this.options.ttlMs ?? 60_000);
        this.#pushTicket(connection);
        return reply(true, { user: connection.session.user });
    }
  }

  /** The session endpoint: a ticket in, the session cookie out (DESIGN.md "Session refresh"). */
  #sessionEndpoint(request: IncomingMessage, response: ServerResponse): void {
    if (request.method !== 'POST' || request.url !== '/wsgate/session') {
      response.writeHead(404).end();
      return;
    }
    const { allowedOrigin } = this.options;
    if (allowedOrigin !== undefined && request.headers.origin !== allowedOrigin) {
      response.writeHead(403).end();
      return;
    }
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const forced = this.ticketStatuses.shift();
      if (forced !== undefined) return void response.writeHead(forced).end();
      let ticket: unknown;
      try {
        ticket = (JSON.parse(body) as { ticket?: unknown }).ticket;
      } catch {
        return void response.writeHead(400).end();
      }
      const session = typeof ticket === 'string' ? this.#tickets.get(ticket) : undefined;
      if (typeof ticket !== 'string') return void response.writeHead(400).end();
      if (!session) return void response.writeHead(401).end();
      this.#tickets.delete(ticket);
      // An anonymous session is not worth a cookie: delete it, as a logout does.
      const cookie = session.user
        ? `sid=${session.id}; Path=/; HttpOnly; SameSite=Lax`
        : 'sid=; Path=/; HttpOnly; Max-Age=0';
      response.writeHead(204, { 'set-cookie': cookie }).end();
    });
  }
}
