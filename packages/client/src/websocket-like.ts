/**
 * The WebSocket implementation the client drives. isomorphic-ws resolves to the browser's own
 * WebSocket (its `browser` field) or to `ws` in Node, which alone can send headers such as
 * Cookie on the handshake.
 */
import IsomorphicWebSocket from 'isomorphic-ws';

/** The event fields the client reads: `data` on message, `code` and `reason` on close. */
export interface WebSocketEventLike {
  readonly type: string;
  readonly data?: unknown;
  readonly code?: number;
  readonly reason?: string;
}

/** The part of the standard WebSocket API the client uses; the DOM's and ws's both fit. */
export interface WebSocketLike {
  readonly readyState: number;
  binaryType: string;
  send(data: OutgoingFrame): void;
  close(code?: number, reason?: string): void;
  addEventListener(
    type: 'open' | 'message' | 'close' | 'error',
    listener: (event: WebSocketEventLike) => void,
  ): void;
  /** ws only: drops the connection without a closing handshake. */
  terminate?(): void;
}

type OutgoingFrame = string | ArrayBufferLike | ArrayBufferView;

/**
 * A WebSocket class: the browser's, ws's, or a test double. The third argument is ws's options
 * object; browsers ignore it (they cannot set handshake headers).
 */
export type WebSocketConstructor = new (
  url: string,
  protocols?: string | string[],
  options?: { headers?: Record<string, string> },
) => WebSocketLike;

/** `WebSocket.OPEN`, the same in every implementation. */
export const OPEN = 1;

/**
 * The WebSocket class isomorphic-ws picked for this platform.
 *
 * @example
 * const socket = new (options.WebSocket ?? defaultWebSocket())(url);
 */
export function defaultWebSocket(): WebSocketConstructor {
  return IsomorphicWebSocket;
}
