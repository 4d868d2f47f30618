import type { Application, OutboundEvent, WebSocketScope } from '@wsgate/shared';
import { WsgateError } from '../errors.js';
import { ApplicationCommunicator } from './application-communicator.js';
import { testScopeBase } from './test-scope.js';

/** How the simulated client connects. */
export interface WebsocketCommunicatorOptions {
  /** Request headers, e.g. `[['cookie', 'wsgate.session=...'], ['origin', 'https://a.com']]`. */
  readonly headers?: ReadonlyArray<readonly [string, string]>;
  /** What the client offers in `Sec-WebSocket-Protocol`, in order. @default [] */
  readonly subprotocols?: readonly string[];
}

/** One frame from the client: exactly one of `text` and `bytes`. */
export type TestFrame =
  | { readonly text: string; readonly bytes?: undefined }
  | { readonly bytes: Uint8Array; readonly text?: undefined };

/**
 * Talks to a WebSocket application as a client would, in-process and without sockets
 * (Channels' WebsocketCommunicator). The scope is built from `path` (`ws` scheme, client
 * `127.0.0.1`); wrap the application in the middleware it runs behind.
 *
 * @example
 * const communicator = new WebsocketCommunicator(ChatConsumer.asApp(), '/ws/chat/?room=1');
 * const [connected] = await communicator.connect();
 * await communicator.sendJsonTo({ type: 'say', text: 'hi' });
 * expect(await communicator.receiveJsonFrom()).toEqual({ type: 'said', text: 'hi' });
 * await communicator.disconnect();
 */
export class WebsocketCommunicator extends ApplicationCommunicator<WebSocketScope> {
  constructor(
    app: Application<WebSocketScope>,
    path: string,
    options: WebsocketCommunicatorOptions = {},
  ) {
    const { secure, ...base } = testScopeBase(path, options.headers);
    super(app, {
      type: 'websocket',
      ...base,
      scheme: secure ? 'wss' : 'ws',
      subprotocols: [...(options.subprotocols ?? [])],
    });
  }

  /**
   * Opens the connection: `[true, subprotocol]` if the application accepted, `[false, code]`
   * if it closed instead (1000 when it gave no code, as Channels reports).
   */
  async connect(timeoutMs = 1000): Promise<[true, string | null] | [false, number]> {
    await this.sendInput({ type: 'websocket.connect' });
    const event = await this.receiveOutputFor(
      timeoutMs,
      'websocket.accept or websocket.close after websocket.connect',
    );
    if (event.type === 'websocket.accept') return [true, event.subprotocol ?? null];
    if (event.type === 'websocket.close') return [false, event.code ?? 1000];
    throw unexpected('connect()', 'websocket.accept or websocket.close', event);
  }

  /** Sends one frame to the application. */
  sendTo(frame: TestFrame): Promise<void> {
    // Checked at run time too: tests build frames from loosely typed fixtures.
    const { text, bytes } = frame as { text?: unknown; bytes?: unknown };
    if (typeof text === 'string' && bytes === undefined) {
      return this.sendInput({ type: 'websocket.receive', text });
    }
    if (bytes instanceof Uint8Array && text === undefined) {
      return this.sendInput({ type: 'websocket.receive', bytes });
    }
    throw new WsgateError(
      'INVALID_OPTION',
      'sendTo() takes exactly one of { text: string } or { bytes: Uint8Array }.',
    );
  }

  /** Sends `value` as a JSON text frame. */
  sendJsonTo(value: unknown): Promise<void> {
    const text = JSON.stringify(value) as string | undefined;
    if (text === undefined) {
      throw new WsgateError(
        'INVALID_OPTION',
        `sendJsonTo() cannot encode ${typeof value} as JSON; pass an object, array or primitive.`,
      );
    }
    return this.sendTo({ text });
  }

  /**
   * The next frame the application sent: a string for text, a `Uint8Array` for binary. Anything
   * else (a close, say) is an error that names what arrived.
   */
  async receiveFrom(timeoutMs = 1000): Promise<string | Uint8Array> {
    const event = await this.receiveOutputFor(timeoutMs, 'a websocket.send frame');
    if (event.type !== 'websocket.send') {
      throw unexpected('receiveFrom()', 'websocket.send', event);
    }
    if (typeof event.text === 'string' && event.bytes === undefined) return event.text;
    if (event.bytes instanceof Uint8Array && event.text === undefined) return event.bytes;
    throw new WsgateError(
      'PROTOCOL_VIOLATION',
      'the application sent websocket.send without exactly one of text (string) and bytes ' +
        `(Uint8Array): ${describe(event)}.`,
    );
  }

  /** The next frame, which must be a text frame holding JSON, decoded. */
  async receiveJsonFrom<T = unknown>(timeoutMs = 1000): Promise<T> {
    const payload = await this.receiveFrom(timeoutMs);
    if (typeof payload !== 'string') {
      throw new WsgateError(
        'PROTOCOL_VIOLATION',
        `receiveJsonFrom() got a binary frame (${payload.byteLength} bytes); JSON is sent as text.`,
      );
    }
    try {
      return JSON.parse(payload) as T;
    } catch (error) {
      throw new WsgateError(
        'PROTOCOL_VIOLATION',
        `receiveJsonFrom() got a text frame that is not JSON: ${JSON.stringify(payload.slice(0, 200))}.`,
        { cause: error },
      );
    }
  }

  /**
   * Tells the application the client went away with `code`, waits for it to return (rethrowing
   * its exception), and tears it down.
   */
  async disconnect(code = 1000, timeoutMs = 1000): Promise<void> {
    await this.sendInput({ type: 'websocket.disconnect', code });
    await this.wait(timeoutMs);
  }
}

function unexpected(method: string, expected: string, event: OutboundEvent): WsgateError {
  return new WsgateError(
    'PROTOCOL_VIOLATION',
    `${method} expected ${expected}, but the application sent ${describe(event)}.`,
  );
}

/** A short, readable rendering of an event for error messages: bytes are summarised. */
function describe(event: OutboundEvent): string {
  return JSON.stringify(event, (_key, value: unknown) =>
    value instanceof Uint8Array ? `<${value.byteLength} bytes>` : value,
  );
}
