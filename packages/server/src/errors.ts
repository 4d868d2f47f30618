/**
 * wsgate's server errors. Every one carries a stable `code` for programs and a message that
 * says how to fix it for people; none of it is ever sent to a client.
 */
export const ServerErrorCode = {
  /** An option is missing or invalid. */
  invalidOption: 'INVALID_OPTION',
  /** A middleware needs another one outside it (e.g. sessions need cookies). */
  missingMiddleware: 'MISSING_MIDDLEWARE',
  /** A router was given a scope type it has no application for. */
  unknownScopeType: 'UNKNOWN_SCOPE_TYPE',
  /** An application sent an event that is not valid at that point. */
  protocolViolation: 'PROTOCOL_VIOLATION',
  /** A channel or group name that a channel layer refuses. */
  invalidChannelName: 'INVALID_CHANNEL_NAME',
  /** A channel's queue is full. */
  channelFull: 'CHANNEL_FULL',
  /** A channel-layer message that is not a cloneable object with a non-empty string `type`. */
  invalidMessage: 'INVALID_MESSAGE',
  /** A channel layer used after `close()`. */
  layerClosed: 'LAYER_CLOSED',
  /** A channel layer's backend (Redis) did not answer in time; the call may not have happened. */
  layerUnavailable: 'LAYER_UNAVAILABLE',
  /** A shared store (Redis) did not answer in time; the operation may not have happened. */
  storeUnavailable: 'STORE_UNAVAILABLE',
  /** A consumer got a channel-layer message whose type it has no handler method for. */
  noHandler: 'NO_HANDLER',
  /** A testing communicator waited longer than its time-out. */
  timeout: 'TIMEOUT',
  /** A session or user could not be stored or read. */
  session: 'SESSION_ERROR',
  /** At a concurrency limit with its queue full: the server refused the work; retry later. */
  overloaded: 'OVERLOADED',
} as const;

export type ServerErrorCode = (typeof ServerErrorCode)[keyof typeof ServerErrorCode];

/**
 * The base of every error wsgate's server throws.
 *
 * @example
 * try { await layer.send(name, message); }
 * catch (error) { if (error instanceof WsgateError && error.code === 'CHANNEL_FULL') retryLater(); }
 */
export class WsgateError extends Error {
  override readonly name: string = 'WsgateError';
  readonly code: ServerErrorCode;

  constructor(code: ServerErrorCode, message: string, options?: { cause?: unknown }) {
    super(`wsgate: ${message}`, options);
    this.code = code;
  }
}
