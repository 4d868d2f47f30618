// @wsgate/client: the public surface, listed explicitly (no `export *`).

// The client: createClient() and what it returns, its options, states and events.
export { createClient } from './create-client.js';
export type { ClientOptions, ReconnectOptions } from './client-options.js';
export type { ClientEvents, ClientState, SendResult, WsgateClient } from './client-types.js';
export type { OutgoingData } from './send-queue.js';
export type { WebSocketConstructor, WebSocketEventLike, WebSocketLike } from './websocket-like.js';

// Errors: one class, with a stable code from the client, the server, or a close code.
export { ClientErrorCode, WsgateClientError } from './client-error.js';

// The protocol's vocabulary, re-exported so that a browser bundle needs one import.
export { CloseCode, ErrorCode } from '@wsgate/shared';
export type { WireUser } from '@wsgate/shared';
