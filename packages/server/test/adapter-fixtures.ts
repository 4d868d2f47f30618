/**
 * Shared pieces for the adapter's integration tests: servers that are always closed, a logger
 * that records, bounded waits (on real timers, so they also bound tests that fake timers) and
 * a ws client that reports what happened to it.
 */
import { once } from 'node:events';
import { request } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { setTimeout as realTimeout, clearTimeout as clearRealTimeout } from 'node:timers';
import WebSocket from 'ws';
import type { ClientOptions } from 'ws';
import type { Application } from '@wsgate/shared';
import type { Logger } from '../src/logger.js';
import { serve } from '../src/adapter/serve.js';
import type { RunningServer, ServeOptions } from '../src/adapter/serve.js';
import { RawClient } from './raw-frames.js';

/** Rejects if `promise` has not settled within `ms` (real time). */
export function within<T>(promise: Promise<T>, what: string, ms = 5_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = realTimeout(
      () => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearRealTimeout(timer));
}

export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

export interface LogEntry {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly details: Record<string, unknown> | undefined;
}

/** A logger that keeps every entry, and can wait for one. */
export class RecordingLogger implements Logger {
  readonly entries: LogEntry[] = [];
  #waiters: Array<() => void> = [];

  debug = (message: string, details?: Record<string, unknown>): void =>
    this.#add('debug', message, details);
  info = (message: string, details?: Record<string, unknown>): void =>
    this.#add('info', message, details);
  warn = (message: string, details?: Record<string, unknown>): void =>
    this.#add('warn', message, details);
  error = (message: string, details?: Record<string, unknown>): void =>
    this.#add('error', message, details);

  /** The first entry (past or future) whose message contains `text`. */
  async waitFor(text: string): Promise<LogEntry> {
    for (;;) {
      const found = this.entries.find((entry) => entry.message.includes(text));
      if (found) return found;
      await within(
        new Promise<void>((resolve) => this.#waiters.push(resolve)),
        `a log line with "${text}"`,
      );
    }
  }

  #add(
    level: LogEntry['level'],
    message: string,
    details: Record<string, unknown> | undefined,
  ): void {
    this.entries.push({ level, message, details });
    for (const waiter of this.#waiters.splice(0)) waiter();
  }
}

/**
 * Starts servers on 127.0.0.1:0 and opens clients, and in `cleanup()` (afterEach) drops every
 * client and closes every server.
 */
export class Harness {
  #servers: RunningServer[] = [];
  #clients: Array<{ terminate(): void }> = [];

  async start(app: Application, options: ServeOptions = {}): Promise<RunningServer> {
    const server = await serve(app, options);
    this.#servers.push(server);
    return server;
  }

  client(
    server: RunningServer,
    path: string,
    protocols: string[] = [],
    options: ClientOptions = {},
  ) {
    const client = new TestClient(`${server.url}${path}`, protocols, options);
    this.#clients.push(client);
    return client;
  }

  async raw(server: RunningServer): Promise<RawClient> {
    const client = await RawClient.connect(server.port);
    this.#clients.push({ terminate: () => client.socket.destroy() });
    return client;
  }

  async cleanup(): Promise<void> {
    for (const client of this.#clients.splice(0)) client.terminate();
    const closing = this.#servers.splice(0).map((server) => server.close());
    await within(Promise.all(closing), 'servers to close');
  }
}

/** What happened to a ws client's handshake. */
export type Opened =
  | { readonly kind: 'open'; readonly upgrade: IncomingMessage }
  | { readonly kind: 'refused'; readonly status: number };

/** A ws client that records its messages and its close. */
export class TestClient {
  readonly ws: WebSocket;
  readonly opened: Promise<Opened>;
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly messages: Array<string | Buffer> = [];
  #refused = false;
  #waiters: Array<() => void> = [];

  constructor(url: string, protocols: string[] = [], options: ClientOptions = {}) {
    this.ws = new WebSocket(url.replace(/^http/, 'ws'), protocols, options);
    this.ws.on('error', () => {});
    let upgrade: IncomingMessage | undefined;
    this.ws.once('upgrade', (response) => {
      upgrade = response;
    });
    this.opened = new Promise((resolve) => {
      this.ws.once('open', () => resolve({ kind: 'open', upgrade: upgrade as IncomingMessage }));
      this.ws.once('unexpected-response', (req, res) => {
        this.#refused = true;
        resolve({ kind: 'refused', status: res.statusCode ?? 0 });
        req.destroy();
      });
    });
    this.closed = once(this.ws, 'close').then(([code, reason]) => ({
      code: code as number,
      reason: (reason as Buffer).toString(),
    }));
    this.ws.on('message', (data: Buffer, isBinary) => {
      this.messages.push(isBinary ? data : data.toString());
      for (const waiter of this.#waiters.splice(0)) waiter();
    });
  }

  /** Waits until the handshake ends and returns how. */
  handshake(): Promise<Opened> {
    return within(this.opened, 'the handshake');
  }

  /** The `index`-th message (0-based), waiting for it. */
  async message(index: number): Promise<string | Buffer> {
    while (this.messages.length <= index) {
      await within(
        new Promise<void>((resolve) => this.#waiters.push(resolve)),
        `message #${index}`,
      );
    }
    return this.messages[index] as string | Buffer;
  }

  /** Drops the connection, if there is one. */
  terminate(): void {
    // ws has already torn down a refused handshake; terminating it again would throw.
    if (!this.#refused) this.ws.terminate();
  }

  close(): Promise<{ code: number; reason: string }> {
    return within(this.closed, 'the client to close');
  }
}

export interface HttpResult {
  readonly status: number;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: Buffer;
}

/** One request to `url` (no keep-alive agent); the body is written in the chunks given. */
export async function httpRequest(
  url: string,
  options: {
    method?: string;
    headers?: Record<string, string>;
    body?: Array<string | Buffer>;
  } = {},
): Promise<HttpResult> {
  const req = request(url, {
    method: options.method ?? 'GET',
    headers: options.headers,
    agent: false,
  });
  for (const chunk of options.body ?? []) req.write(chunk);
  req.end();
  const [res] = (await within(once(req, 'response'), `a response from ${url}`)) as [
    IncomingMessage,
  ];
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  const headers: Array<[string, string]> = [];
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
    headers.push([(res.rawHeaders[i] as string).toLowerCase(), res.rawHeaders[i + 1] as string]);
  }
  return { status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks) };
}
