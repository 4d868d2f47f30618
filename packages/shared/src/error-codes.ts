/**
 * Stable error codes carried by `error` and `auth.result` messages and by every wsgate error
 * class. Messages say what to do; codes are what programs switch on.
 */
export const ErrorCode = {
  /** A frame that is not a JSON object with a string `type`, or a field of the wrong shape. */
  badMessage: 'BAD_MESSAGE',
  /** An `auth.*` or `session.*` type that the protocol does not define. */
  unknownType: 'UNKNOWN_TYPE',
  /** Login failed; deliberately the same for an unknown user and a wrong password. */
  invalidCredentials: 'INVALID_CREDENTIALS',
  unauthenticated: 'UNAUTHENTICATED',
  forbidden: 'FORBIDDEN',
  rateLimited: 'RATE_LIMITED',
  sessionExpired: 'SESSION_EXPIRED',
  revoked: 'REVOKED',
  authTimeout: 'AUTH_TIMEOUT',
  messageTooBig: 'MESSAGE_TOO_BIG',
  /** The server has more queued for this connection than it will hold. */
  overloaded: 'OVERLOADED',
  /**
   * The server cannot reach the shared store that checks sessions and logins (Redis) for the
   * moment: nothing was decided; try again shortly.
   */
  sessionStoreUnavailable: 'SESSION_STORE_UNAVAILABLE',
  /**
   * The server cannot reach the channel layer that carries messages between sockets (Redis)
   * for the moment: the message may not have been delivered; send it again shortly.
   */
  layerUnavailable: 'LAYER_UNAVAILABLE',
  /** Something failed on the server; details are in its log, never on the wire. */
  internalError: 'INTERNAL_ERROR',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
