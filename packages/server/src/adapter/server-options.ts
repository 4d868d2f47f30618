/**
 * The adapter's options: every limit has a default that is safe to expose to the internet,
 * and `resolveServerOptions` checks them once so the hot paths can trust them.
 */
import type { PerMessageDeflateOptions } from 'ws';
import { ServerErrorCode, WsgateError } from '../errors.js';
import { defaultLogger } from '../logger.js';
import type { Logger } from '../logger.js';

/**
 * Limits and time-outs shared by `serve()` and `attach()`.
 *
 * @example
 * await serve(app, { maxPayload: 16 * 1024, pingIntervalMs: 10_000, logger: consoleLogger('debug') });
 */
export interface ServerOptions {
  /**
   * Where refusals (debug) and application crashes (error) are reported.
   * @default defaultLogger (level from WSGATE_LOG, else info)
   */
  readonly logger?: Logger;
  /**
   * The largest WebSocket message, in bytes. A bigger one closes the socket with 1009 and
   * never reaches the application.
   * @default 65536 (64 KiB)
   */
  readonly maxPayload?: number;
  /**
   * The most frames one WebSocket message may be split into; more closes the socket with 1008,
   * which stops floods of empty continuation frames.
   * @default 1024
   */
  readonly maxFragments?: number;
  /**
   * permessage-deflate, off because compression costs memory per socket and opens the door to
   * compression side channels; pass `true` or ws's options to turn it on.
   * @default false
   */
  readonly perMessageDeflate?: boolean | PerMessageDeflateOptions;
  /**
   * How long a WebSocket handshake may take, from the `upgrade` event until the application
   * accepts or closes. Past it the upgrade completes with `auth.error` and close 4408.
   * `serve()` also uses it as the HTTP server's `headersTimeout`, so clients that trickle
   * their request headers are cut off.
   * @default 10000
   */
  readonly handshakeTimeoutMs?: number;
  /**
   * The largest HTTP request body, in bytes; a bigger one gets 413.
   * @default 1048576 (1 MiB)
   */
  readonly maxBodySize?: number;
  /**
   * Bytes a WebSocket may have waiting to be written before the application's `send()` waits
   * for the socket to drain.
   * @default 1048576 (1 MiB)
   */
  readonly sendHighWaterMark?: number;
  /**
   * Bytes a WebSocket may have waiting to be written at all; past it the client is too slow
   * and the socket is terminated, so one stuck reader cannot exhaust memory.
   * @default 4194304 (4 MiB)
   */
  readonly maxBufferedAmount?: number;
  /**
   * How long a `send()` waits for a WebSocket above `sendHighWaterMark` to drain before the
   * client is judged stuck and the socket terminated.
   * @default 30000
   */
  readonly slowReaderTimeoutMs?: number;
  /**
   * Inbound WebSocket messages held for an application that is not calling `receive()` fast
   * enough; at this many the socket stops reading (TCP pushes back on the client) until the
   * application catches up.
   * @default 64
   */
  readonly maxQueuedMessages?: number;
  /**
   * How often to ping each WebSocket; a socket with no pong by the next ping is terminated
   * (the idle time-out for dead links). 0 turns pings off.
   * @default 25000
   */
  readonly pingIntervalMs?: number;
  /**
   * On `close()`, how long open connections get to finish before they are terminated.
   * @default 5000
   */
  readonly drainTimeoutMs?: number;
  /**
   * Trust `X-Forwarded-Proto` and `X-Forwarded-For` from the proxy in front of this server
   * (the right-most value, the one that proxy added) for `scope.scheme` and `scope.client`.
   * Only turn it on behind a proxy that sets them; otherwise clients can forge them.
   * @default false
   */
  readonly trustProxy?: boolean;
}

/** The options with every default filled in and checked. */
export type ResolvedServerOptions = Required<Omit<ServerOptions, 'perMessageDeflate'>> & {
  readonly perMessageDeflate: false | PerMessageDeflateOptions;
};

type NumericOption = {
  [K in keyof ResolvedServerOptions]: ResolvedServerOptions[K] extends number ? K : never;
}[keyof ResolvedServerOptions];

const defaults = {
  maxPayload: 64 * 1024,
  maxFragments: 1024,
  handshakeTimeoutMs: 10_000,
  maxBodySize: 1024 * 1024,
  sendHighWaterMark: 1024 * 1024,
  maxBufferedAmount: 4 * 1024 * 1024,
  slowReaderTimeoutMs: 30_000,
  maxQueuedMessages: 64,
  pingIntervalMs: 25_000,
  drainTimeoutMs: 5_000,
} as const satisfies Record<NumericOption, number>;

/** Options that may be 0 to turn the feature off. */
const zeroAllowed: ReadonlySet<NumericOption> = new Set(['pingIntervalMs']);

function numberOption(options: ServerOptions, name: NumericOption): number {
  const value = options[name] ?? defaults[name];
  const least = zeroAllowed.has(name) ? 0 : 1;
  if (!Number.isSafeInteger(value) || value < least) {
    throw new WsgateError(
      ServerErrorCode.invalidOption,
      `option ${name} must be an integer >= ${least}, got ${String(value)}. ` +
        `Leave it out for the default (${defaults[name]}).`,
    );
  }
  return value;
}

/**
 * Fills in the defaults and checks every option, throwing a WsgateError (INVALID_OPTION) that
 * names the bad one.
 *
 * @example
 * resolveServerOptions({ maxPayload: 1024 }).pingIntervalMs; // 25000
 */
export function resolveServerOptions(options: ServerOptions = {}): ResolvedServerOptions {
  const numbers = Object.fromEntries(
    (Object.keys(defaults) as NumericOption[]).map((name) => [name, numberOption(options, name)]),
  ) as Record<NumericOption, number>;
  if (numbers.maxBufferedAmount < numbers.sendHighWaterMark) {
    throw new WsgateError(
      ServerErrorCode.invalidOption,
      `option maxBufferedAmount (${numbers.maxBufferedAmount}) must be at least ` +
        `sendHighWaterMark (${numbers.sendHighWaterMark}); raise it or lower sendHighWaterMark.`,
    );
  }
  const deflate = options.perMessageDeflate ?? false;
  return {
    ...numbers,
    logger: options.logger ?? defaultLogger,
    perMessageDeflate: deflate === true ? {} : deflate,
    trustProxy: options.trustProxy ?? false,
  };
}
