/**
 * The in-socket auth protocol: JSON text frames whose `type` starts with `auth.` or
 * `session.`. Every other frame belongs to the application and passes through untouched.
 * Requests carry an `id`; the reply echoes it.
 */
import type { ErrorCode } from './error-codes.js';

/** A request id chosen by the client: a non-empty string (<= 128 chars) or an integer. */
export type RequestId = string | number;

/** A user as the server chooses to show it to the client; at least its `id`. */
export interface WireUser {
  readonly id: string | number;
  readonly [field: string]: unknown;
}

export interface WireError {
  readonly code: ErrorCode;
  readonly message: string;
}

// client -> server

export interface AuthLoginMessage {
  readonly type: 'auth.login';
  readonly id: RequestId;
  /** Whatever the server's `authenticate` expects, e.g. `{ username, password }`. */
  readonly credentials: unknown;
}

export interface AuthLogoutMessage {
  readonly type: 'auth.logout';
  readonly id: RequestId;
}

export interface AuthWhoamiMessage {
  readonly type: 'auth.whoami';
  readonly id: RequestId;
}

export interface SessionRefreshMessage {
  readonly type: 'session.refresh';
  readonly id: RequestId;
}

/** Heartbeat: browsers cannot send ping frames, so the client pings in-band. */
export interface SessionPingMessage {
  readonly type: 'session.ping';
  readonly id: RequestId;
}

export type ClientMessage =
  | AuthLoginMessage
  | AuthLogoutMessage
  | AuthWhoamiMessage
  | SessionRefreshMessage
  | SessionPingMessage;

// server -> client

export interface AuthResultMessage {
  readonly type: 'auth.result';
  readonly id: RequestId;
  readonly ok: boolean;
  /** The user after the request; `null` when anonymous. */
  readonly user?: WireUser | null;
  readonly error?: WireError;
}

/** A session saved inside the socket, sealed as a short-lived ticket for the session endpoint. */
export interface SessionUpdatedMessage {
  readonly type: 'session.updated';
  readonly ticket: string;
  /** When the session itself expires, in epoch milliseconds. */
  readonly expiresAt: number;
}

export interface SessionExpiringMessage {
  readonly type: 'session.expiring';
  readonly expiresAt: number;
}

export interface SessionPongMessage {
  readonly type: 'session.pong';
  readonly id: RequestId;
}

/** The session was logged out elsewhere, or its user changed; the socket's user is anonymous. */
export interface AuthRevokedMessage {
  readonly type: 'auth.revoked';
  readonly reason: string;
}

export interface AuthExpiredMessage {
  readonly type: 'auth.expired';
}

/** Sent just before the server closes with the 4xxx `code`, so the client knows why. */
export interface AuthErrorMessage {
  readonly type: 'auth.error';
  readonly code: number;
  readonly message: string;
  readonly retryAfterMs?: number;
}

export interface ErrorMessage {
  readonly type: 'error';
  readonly id?: RequestId;
  readonly code: ErrorCode;
  readonly message: string;
}

export type ServerMessage =
  | AuthResultMessage
  | SessionUpdatedMessage
  | SessionExpiringMessage
  | SessionPongMessage
  | AuthRevokedMessage
  | AuthExpiredMessage
  | AuthErrorMessage
  | ErrorMessage;

/**
 * True for types the protocol reserves (`auth.*`, `session.*`, `error`), which the server
 * and client handle before the application sees them.
 */
export function isControlType(type: string): boolean {
  return type.startsWith('auth.') || type.startsWith('session.') || type === 'error';
}

/**
 * Serialises a protocol message as the text frame both sides send.
 *
 * @example
 * socket.send(encodeMessage({ type: 'auth.whoami', id: 1 }));
 */
export function encodeMessage(message: ClientMessage | ServerMessage): string {
  return JSON.stringify(message);
}
