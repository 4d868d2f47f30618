/**
 * The application model: ASGI's `(scope, receive, send)` in TypeScript. One call per
 * WebSocket connection or HTTP request; the events below are the only traffic in between.
 */
import type { Header, Scope, ScopeUser } from './scope.js';

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

/**
 * Why a connection's user changed; see {@link WebSocketAuthEvent}.
 *
 * @example
 * const goodbye: WebSocketAuthReason[] = ['logout', 'revoked', 'expired'];
 */
export type WebSocketAuthReason =
  /** An `auth.login` on this socket succeeded, or the application logged a user in and saved. */
  | 'login'
  /** An `auth.logout` on this socket, or the application logged out and saved. */
  | 'logout'
  /** The session was logged out elsewhere, or its user was deleted or changed credentials. */
  | 'revoked'
  /** The session's TTL ran out while the socket was open. */
  | 'expired'
  /** The periodic re-check loaded the same user with changed fields. */
  | 'reverified';

/**
 * wsgate's extension of ASGI: the connection's user changed while it was open. Never sent by
 * the client; `socketAuthMiddleware` puts it in the receive stream of the application it wraps
 * (after the control frame or timer that caused it, before later frames). `WebsocketConsumer`
 * handles it by updating `this.scope.user` and calling `authChanged(user, reason)`; other
 * applications see it from `receive()` and may ignore it.
 *
 * @example
 * const event = await receive();
 * if (event.type === 'websocket.auth' && event.reason === 'revoked') {
 *   await send({ type: 'websocket.close', code: 4403 });
 * }
 */
export interface WebSocketAuthEvent {
  readonly type: 'websocket.auth';
  /** The user from now on: authenticated, or anonymous after a logout, revocation or expiry. */
  readonly user: ScopeUser;
  readonly reason: WebSocketAuthReason;
}

export type WebSocketInboundEvent =
  WebSocketConnectEvent | WebSocketReceiveEvent | WebSocketDisconnectEvent | WebSocketAuthEvent;
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
