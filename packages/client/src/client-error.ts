/**
 * The client's one error class. Its `code` is a stable string from the server (`ErrorCode`) or
 * from the client (`ClientErrorCode`), or the close code of a connection the client gave up on.
 */
import type { ErrorCode } from '@wsgate/shared';
import type { OutgoingData } from './send-queue.js';

/** Error codes the client raises itself, next to the server's `ErrorCode`s. */
export const ClientErrorCode = {
  /** An option is missing or invalid. */
  invalidOption: 'INVALID_OPTION',
  /** A request got no answer within `requestTimeoutMs`. */
  requestTimeout: 'REQUEST_TIMEOUT',
  /** The connection ended while a request was on the wire; the server may or may not have acted. */
  connectionLost: 'CONNECTION_LOST',
  /** The client was closed (by `close()` or a terminal close code) before the work could be done. */
  clientClosed: 'CLIENT_CLOSED',
  /** A message was not queued because the send queue already held `queueLimit` messages. */
  queueFull: 'QUEUE_FULL',
  /** The session endpoint refused a ticket or could not be reached; the cookie was not updated. */
  ticketExchangeFailed: 'TICKET_EXCHANGE_FAILED',
} as const;

export type ClientErrorCode = (typeof ClientErrorCode)[keyof typeof ClientErrorCode];

interface ClientErrorDetails {
  cause?: unknown;
  /** Set on `CONNECTION_LOST`: how the connection ended. */
  closeCode?: number;
  /** Set on `TICKET_EXCHANGE_FAILED` when the endpoint answered. */
  status?: number;
  /** Messages that were not sent, handed back so that nothing is lost silently. */
  dropped?: readonly OutgoingData[];
}

/**
 * What the client rejects with and emits as `error`.
 *
 * @example
 * client.on('error', (error) => {
 *   if (error.code === 'QUEUE_FULL') showOfflineBanner(error.dropped);
 *   else if (error.code === 4403) showSignedOut();
 * });
 */
export class WsgateClientError extends Error {
  override readonly name: string = 'WsgateClientError';
  readonly code: ClientErrorCode | ErrorCode | number;
  readonly closeCode?: number;
  readonly status?: number;
  readonly dropped?: readonly OutgoingData[];

  constructor(
    code: ClientErrorCode | ErrorCode | number,
    message: string,
    details: ClientErrorDetails = {},
  ) {
    super(`wsgate client: ${message}`, details.cause === undefined ? {} : { cause: details.cause });
    this.code = code;
    if (details.closeCode !== undefined) this.closeCode = details.closeCode;
    if (details.status !== undefined) this.status = details.status;
    if (details.dropped !== undefined) this.dropped = details.dropped;
  }
}
