/**
 * The application model: ASGI's `(scope, receive, send)` in TypeScript. One call per
 * WebSocket connection or HTTP request; the events below are the only traffic in between.
 */
import type { Header, Scope } from './scope.js';

export interface WebSocketConnectEvent {
  readonly type: 'websocket.connect';
}

/** Exactly one of `text` and `bytes` is set. */
export interface WebSocketReceiveEvent {
  readonly type: 'websocket.receive';
  readonly text?: string;
  readonly bytes?: Uint8Array;
}

export interface WebSocketDisconnectEvent {
  readonly type: 'websocket.disconnect';
  readonly code: number;
  readonly reason?: string;
}

export interface HttpRequestEvent {
  readonly type: 'http.request';
  readonly body: Uint8Array;
  readonly moreBody: boolean;
}

export interface HttpDisconnectEvent {
  readonly type: 'http.disconnect';
}

export type WebSocketInboundEvent =
  WebSocketConnectEvent | WebSocketReceiveEvent | WebSocketDisconnectEvent;
export type HttpInboundEvent = HttpRequestEvent | HttpDisconnectEvent;
export type InboundEvent = WebSocketInboundEvent | HttpInboundEvent;

export interface WebSocketAcceptEvent {
  readonly type: 'websocket.accept';
  /** One of `scope.subprotocols`, or none. */
  readonly subprotocol?: string | null;
  /** Extra headers for the 101 response. */
  readonly headers?: readonly Header[];
}

/** Exactly one of `text` and `bytes` is set. */
export interface WebSocketSendEvent {
  readonly type: 'websocket.send';
  readonly text?: string;
  readonly bytes?: Uint8Array;
}

/**
 * Before accept: no code rejects the handshake with HTTP 403; a 4xxx code completes it, sends
 * `auth.error` and closes with that code, so a browser can tell why.
 */
export interface WebSocketCloseEvent {
  readonly type: 'websocket.close';
  readonly code?: number;
  readonly reason?: string;
}

export interface HttpResponseStartEvent {
  readonly type: 'http.response.start';
  readonly status: number;
  readonly headers?: readonly Header[];
}

export interface HttpResponseBodyEvent {
  readonly type: 'http.response.body';
  readonly body?: Uint8Array;
  /** True when more body events follow (a streamed response). */
  readonly moreBody?: boolean;
}

export type WebSocketOutboundEvent =
  WebSocketAcceptEvent | WebSocketSendEvent | WebSocketCloseEvent;
export type HttpOutboundEvent = HttpResponseStartEvent | HttpResponseBodyEvent;
export type OutboundEvent = WebSocketOutboundEvent | HttpOutboundEvent;

export type Receive = () => Promise<InboundEvent>;
export type Send = (event: OutboundEvent) => Promise<void>;

/**
 * An application. `S` is the scope it needs: middleware that adds to the scope takes an
 * `Application<S & Added>` and returns an `Application<S>`, so what it adds is visible inside.
 *
 * @example
 * const echo: Application = async (scope, receive, send) => {
 *   if (scope.type !== 'websocket') return;
 *   for (;;) {
 *     const event = await receive();
 *     if (event.type === 'websocket.connect') await send({ type: 'websocket.accept' });
 *     else if (event.type === 'websocket.receive') await send({ type: 'websocket.send', text: event.text ?? '' });
 *     else return;
 *   }
 * };
 */
export type Application<S extends Scope = Scope> = (
  scope: S,
  receive: Receive,
  send: Send,
) => Promise<void>;
