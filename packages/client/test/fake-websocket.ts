/**
 * A scripted WebSocket for unit tests with fake timers: the test opens it, feeds it frames and
 * closes it from the "server" side, and reads what the client sent. Nothing touches the network.
 */
import type { WebSocketEventLike, WebSocketLike } from '../src/index.js';

type Listener = (event: WebSocketEventLike) => void;

export class FakeWebSocket implements WebSocketLike {
  /** Every socket constructed, in order. */
  static readonly instances: FakeWebSocket[] = [];

  static get last(): FakeWebSocket {
    const socket = FakeWebSocket.instances.at(-1);
    if (!socket) throw new Error('no socket was created');
    return socket;
  }

  readyState = 0;
  binaryType = 'blob';
  readonly sent: (string | ArrayBufferLike | ArrayBufferView)[] = [];
  closedWith: [code: number | undefined, reason: string | undefined] | undefined;
  terminated = false;
  readonly #listeners = new Map<string, Listener[]>();

  constructor(
    readonly url: string,
    readonly protocols?: string | string[],
    readonly options?: { headers?: Record<string, string> },
  ) {
    FakeWebSocket.instances.push(this);
  }

  addEventListener(type: string, listener: Listener): void {
    this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), listener]);
  }

  send(data: string | ArrayBufferLike | ArrayBufferView): void {
    if (this.readyState !== 1) throw new Error('not open');
    this.sent.push(data);
  }

  close(code?: number, reason?: string): void {
    this.closedWith = [code, reason];
    this.readyState = 3;
  }

  terminate(): void {
    this.terminated = true;
    this.readyState = 3;
  }

  /** The control messages the client sent, parsed. */
  get controls(): { type: string; id?: number | string; [key: string]: unknown }[] {
    return this.sent
      .filter((data): data is string => typeof data === 'string' && data.startsWith('{"type"'))
      .map((text) => JSON.parse(text) as { type: string })
      .filter(({ type }) => type.startsWith('auth.') || type.startsWith('session.'));
  }

  // The "server" side.

  open(): void {
    this.readyState = 1;
    this.#emit('open', { type: 'open' });
  }

  receive(data: unknown): void {
    this.#emit('message', {
      type: 'message',
      data:
        typeof data === 'object' && !(data instanceof ArrayBuffer) ? JSON.stringify(data) : data,
    });
  }

  /** Answers the handshake's auth.whoami, as a wsgate server does. */
  answerHandshake(user: unknown = null): void {
    const whoami = this.controls.find(({ type }) => type === 'auth.whoami');
    if (!whoami) throw new Error('the client sent no handshake');
    this.receive({ type: 'auth.result', id: whoami.id, ok: true, user });
  }

  /** Opens and answers the handshake. */
  accept(user: unknown = null): void {
    this.open();
    this.answerHandshake(user);
  }

  serverClose(code: number, reason = ''): void {
    this.readyState = 3;
    this.#emit('close', { type: 'close', code, reason });
  }

  /** `auth.error` then the close, as wsgate's server refuses. */
  refuse(code: number, message: string, retryAfterMs?: number): void {
    if (this.readyState === 0) this.open();
    this.receive({
      type: 'auth.error',
      code,
      message,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
    this.serverClose(code, message);
  }

  #emit(type: string, event: WebSocketEventLike): void {
    for (const listener of this.#listeners.get(type) ?? []) listener(event);
  }
}
