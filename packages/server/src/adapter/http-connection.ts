/**
 * One HTTP request: the body streams to the application as it reads it (the request is paused
 * while it does not, so nothing is buffered without bound) and the response streams back with
 * `res.write` backpressure respected.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Application, HttpInboundEvent, HttpScope } from '@wsgate/shared';
import { ServerErrorCode, WsgateError } from '../errors.js';
import { checkHttpEvent } from './check-outbound-event.js';
import type { CheckedHttpEvent } from './check-outbound-event.js';
import { Inbox } from './inbox.js';
import type { ResolvedServerOptions } from './server-options.js';

type ResponseState = 'none' | 'started' | 'done';
type ResponseStart = Extract<CheckedHttpEvent, { type: 'http.response.start' }>;

const disconnect: HttpInboundEvent = { type: 'http.disconnect' };
const noBody = new Uint8Array(0);

/**
 * Runs one HTTP application over one request.
 *
 * @example
 * const connection = new HttpConnection(req, res, scope, options, (c) => live.delete(c));
 * void connection.run(app);
 */
export class HttpConnection {
  readonly #req: IncomingMessage;
  readonly #res: ServerResponse;
  readonly #scope: HttpScope;
  readonly #options: ResolvedServerOptions;
  readonly #inbox: Inbox<HttpInboundEvent>;
  #state: ResponseState = 'none';
  #start: ResponseStart | null = null;
  #bodyBytes = 0;
  /** Nothing the application sends can reach the client: it left, or the server answered. */
  #detached = false;

  constructor(
    req: IncomingMessage,
    res: ServerResponse,
    scope: HttpScope,
    options: ResolvedServerOptions,
    /** Called once, when the response is finished or the client is gone. */
    onClosed: (connection: HttpConnection) => void,
  ) {
    this.#req = req;
    this.#res = res;
    this.#scope = scope;
    this.#options = options;
    // One chunk at a time: the request stays paused until the application asks for more.
    this.#inbox = new Inbox(1, { pause: () => req.pause(), resume: () => req.resume() });
    res.once('close', () => {
      this.#detached = true;
      this.#inbox.end(disconnect);
      onClosed(this);
    });
    req.on('data', (chunk: Buffer) => this.#onBody(chunk));
    req.once('end', () =>
      this.#inbox.push({ type: 'http.request', body: noBody, moreBody: false }),
    );
  }

  /** Runs the application to its end; never rejects. */
  async run(app: Application): Promise<void> {
    const declared = Number(this.#req.headers['content-length'] ?? 0);
    if (declared > this.#options.maxBodySize) {
      this.#refuseTooLarge();
      return;
    }
    try {
      await app(
        this.#scope,
        () => this.#inbox.receive(),
        (event) => this.#send(event),
      );
    } catch (error) {
      this.#log('error', 'http application failed', { error });
      this.#fail();
      return;
    }
    if (this.#state === 'done' || this.#detached) return;
    this.#log(
      'error',
      this.#state === 'none'
        ? 'http application returned without sending a response'
        : 'http application returned before finishing its response',
    );
    this.#fail();
  }

  /** The server is closing: let this response finish, but not keep the connection alive. */
  shutdown(): void {
    this.#res.shouldKeepAlive = false;
  }

  terminate(): void {
    this.#res.destroy();
  }

  #onBody(chunk: Buffer): void {
    this.#bodyBytes += chunk.length;
    if (this.#bodyBytes > this.#options.maxBodySize) {
      this.#refuseTooLarge();
      return;
    }
    this.#inbox.push({ type: 'http.request', body: new Uint8Array(chunk), moreBody: true });
  }

  #refuseTooLarge(): void {
    this.#log('debug', 'request body over maxBodySize: 413', {
      maxBodySize: this.#options.maxBodySize,
    });
    this.#req.pause();
    this.#inbox.end(disconnect);
    const started = this.#res.headersSent;
    this.#detached = true;
    if (started) {
      this.#res.destroy();
      return;
    }
    // The rest of the body is never read, so the connection cannot be reused.
    this.#res.shouldKeepAlive = false;
    this.#respondPlain(413, 'Payload Too Large');
  }

  /** A failed request: 500 if nothing was promised yet, else the response is cut off. */
  #fail(): void {
    if (this.#detached) return;
    this.#detached = true;
    if (this.#state === 'none') {
      this.#respondPlain(500, 'Internal Server Error');
    } else {
      this.#res.destroy();
    }
  }

  #respondPlain(status: number, body: string): void {
    this.#res.writeHead(status, {
      'content-type': 'text/plain; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    });
    this.#res.end(body);
  }

  async #send(event: unknown): Promise<void> {
    const checked = checkHttpEvent(event);
    if (this.#detached) {
      this.#log('debug', `ignored ${checked.type}: the response is no longer the application's`);
      return;
    }
    if (this.#state === 'done') {
      throw new WsgateError(
        ServerErrorCode.protocolViolation,
        `${checked.type} after the response was complete (a body event had moreBody: false).`,
      );
    }
    if (checked.type === 'http.response.start') {
      if (this.#state !== 'none') {
        throw new WsgateError(ServerErrorCode.protocolViolation, 'http.response.start sent twice.');
      }
      this.#start = checked;
      this.#state = 'started';
      return;
    }
    if (this.#start === null) {
      throw new WsgateError(
        ServerErrorCode.protocolViolation,
        'http.response.body before http.response.start: send the status and headers first.',
      );
    }
    if (!checked.moreBody) this.#state = 'done';
    await this.#write(this.#start, checked.body, checked.moreBody);
  }

  async #write(start: ResponseStart, body: Uint8Array, moreBody: boolean): Promise<void> {
    const res = this.#res;
    if (!res.headersSent) {
      // A flat [name, value, ...] list keeps repeated headers such as Set-Cookie apart.
      res.writeHead(start.status, start.headers.flat());
    }
    // HEAD responses carry the headers a GET would, but never a body.
    const chunk = this.#req.method === 'HEAD' ? noBody : body;
    if (!moreBody) {
      res.end(chunk);
      return;
    }
    if (chunk.length > 0 && !res.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });
    }
  }

  #log(level: 'debug' | 'error', message: string, details: Record<string, unknown> = {}): void {
    this.#options.logger[level](message, {
      path: this.#scope.path,
      method: this.#scope.method,
      ...details,
    });
  }
}
