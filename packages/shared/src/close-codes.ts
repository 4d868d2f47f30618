/**
 * WebSocket close codes wsgate uses, and what a client does on each. Server and client read
 * this one table, so the policy cannot drift between them.
 */

/** What a client does after the server closes with a code. */
export type ClosePolicy =
  /** Not a close: the offending message failed; the socket stays open. */
  | 'stay-open'
  /** Refresh the session once, then reconnect; stop if the refresh fails. */
  | 'refresh-then-reconnect'
  /** Stop and tell the UI; reconnecting cannot help. */
  | 'terminal'
  /** Reconnect with exponential backoff. */
  | 'backoff'
  /** Reconnect once the server's `retryAfterMs` has passed. */
  | 'retry-after'
  /** Reconnect with jittered backoff (the server is restarting or shedding load). */
  | 'jittered-backoff';

export const CloseCode = {
  normal: 1000,
  goingAway: 1001,
  protocolError: 1002,
  abnormal: 1006,
  invalidPayload: 1007,
  policyViolation: 1008,
  messageTooBig: 1009,
  internalError: 1011,
  serviceRestart: 1012,
  tryAgainLater: 1013,
  badMessage: 4400,
  unauthenticated: 4401,
  forbidden: 4403,
  authTimeout: 4408,
  tooManyRequests: 4429,
} as const;

export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

interface CloseCodeInfo {
  readonly meaning: string;
  readonly policy: ClosePolicy;
}

/** The contract table of DESIGN.md ("Close codes"), keyed by code. */
export const closeCodes = {
  1000: { meaning: 'closed normally', policy: 'terminal' },
  1001: { meaning: 'server going away', policy: 'jittered-backoff' },
  1002: { meaning: 'protocol error', policy: 'backoff' },
  1006: { meaning: 'connection lost', policy: 'backoff' },
  1007: { meaning: 'invalid frame payload (not UTF-8)', policy: 'terminal' },
  1008: { meaning: 'policy violation', policy: 'terminal' },
  1009: { meaning: 'message too big', policy: 'terminal' },
  1011: { meaning: 'server error', policy: 'backoff' },
  1012: { meaning: 'server restarting', policy: 'jittered-backoff' },
  1013: { meaning: 'try again later', policy: 'jittered-backoff' },
  4400: { meaning: 'malformed or unknown control message', policy: 'stay-open' },
  4401: { meaning: 'not authenticated, or session expired', policy: 'refresh-then-reconnect' },
  4403: { meaning: 'forbidden or revoked', policy: 'terminal' },
  4408: { meaning: 'authentication took too long', policy: 'backoff' },
  4429: { meaning: 'too many requests', policy: 'retry-after' },
} as const satisfies Record<CloseCode, CloseCodeInfo>;

/**
 * The client's policy for any close code, including ones not in the table: other 4xxx codes
 * are the application's own refusals (terminal), anything else is treated as a lost link.
 *
 * @example
 * closePolicy(4429); // 'retry-after'
 * closePolicy(4000); // 'terminal'
 */
export function closePolicy(code: number): ClosePolicy {
  const known = (closeCodes as Record<number, CloseCodeInfo | undefined>)[code];
  if (known) return known.policy;
  return code >= 4000 && code <= 4999 ? 'terminal' : 'backoff';
}
