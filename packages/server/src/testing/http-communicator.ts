import type { Application, HttpScope } from '@wsgate/shared';
import { WsgateError } from '../errors.js';
import { ApplicationCommunicator } from './application-communicator.js';
import { testScopeBase } from './test-scope.js';

/** The simulated request's body and headers. */
export interface HttpCommunicatorOptions {
  /** The request body; a string is sent as UTF-8. @default empty */
  readonly body?: Uint8Array | string;
  /** Request headers, e.g. `[['cookie', 'wsgate.session=...']]`. */
  readonly headers?: ReadonlyArray<readonly [string, string]>;
}

/** What `getResponse()` collected. */
export interface TestHttpResponse {
  readonly status: number;
  readonly headers: Array<[string, string]>;
  /** Every body event's bytes, concatenated. */
  readonly body: Uint8Array;
}

/**
 * Sends one HTTP request to an application in-process and collects its response
 * (Channels' HttpCommunicator). The scope is built from `method` and `path`; wrap the
 * application in the middleware it runs behind.
 *
 * @example
 * const communicator = new HttpCommunicator(app, 'POST', '/wsgate/session', { body: ticket });
 * const response = await communicator.getResponse();
 * expect(response.status).toBe(204);
 */
export class HttpCommunicator extends ApplicationCommunicator<HttpScope> {
  readonly #body: Uint8Array;
  #sent = false;

  constructor(
    app: Application<HttpScope>,
    method: string,
    path: string,
    options: HttpCommunicatorOptions = {},
  ) {
    const { secure, ...base } = testScopeBase(path, options.headers);
    super(app, {
      type: 'http',
      ...base,
      scheme: secure ? 'https' : 'http',
      method: method.toUpperCase(),
      httpVersion: '1.1',
    });
    const { body = new Uint8Array() } = options;
    this.#body = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  }

  /**
   * Sends the request (once) and returns the response: `http.response.start` followed by body
   * events up to the one without `moreBody`. `timeoutMs` bounds each event.
   */
  async getResponse(timeoutMs = 1000): Promise<TestHttpResponse> {
    if (!this.#sent) {
      this.#sent = true;
      await this.sendInput({ type: 'http.request', body: this.#body, moreBody: false });
    }
    const start = await this.receiveOutputFor(timeoutMs, 'http.response.start');
    if (start.type !== 'http.response.start') {
      throw new WsgateError(
        'PROTOCOL_VIOLATION',
        `getResponse() expected http.response.start, but the application sent ${start.type}.`,
      );
    }
    const chunks: Uint8Array[] = [];
    for (;;) {
      const event = await this.receiveOutputFor(timeoutMs, 'http.response.body');
      if (event.type !== 'http.response.body') {
        throw new WsgateError(
          'PROTOCOL_VIOLATION',
          `getResponse() expected http.response.body after the start, but the application sent ${event.type}.`,
        );
      }
      if (event.body) chunks.push(event.body);
      if (event.moreBody !== true) break;
    }
    return {
      status: start.status,
      headers: (start.headers ?? []).map(([name, value]): [string, string] => [name, value]),
      body: concat(chunks),
    };
  }
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const body = new Uint8Array(chunks.reduce((total, chunk) => total + chunk.byteLength, 0));
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}
