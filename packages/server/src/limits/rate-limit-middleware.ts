/**
 * Connection and message limits for WebSockets, per authenticated user and per client
 * address, so one user or one machine cannot take the server from everyone else. A refusal
 * is close code 4429, which the client reads as "come back after `retryAfterMs`".
 */
import { CloseCode, encodeMessage } from '@wsgate/shared';
import type {
  Application,
  Receive,
  Scope,
  Send,
  WebSocketInboundEvent,
  WebSocketScope,
  WithUser,
} from '@wsgate/shared';
import { ServerErrorCode, WsgateError } from '../errors.js';
import { defaultLogger } from '../logger.js';
import type { Logger } from '../logger.js';
import { addressKey } from './address-key.js';
import { checkLimit } from './check-limit.js';
import { wrapping } from '../routing/url-router-mark.js';
import { ConnectionCounter } from './connection-counter.js';
import { TokenBucket } from './token-bucket.js';

/**
 * Options of {@link rateLimitMiddleware}. Every limit takes `Infinity` to turn it off.
 *
 * @example
 * rateLimitMiddleware(app, { maxConnectionsPerUser: 5, messagesPerSecond: 10, burst: 30 });
 */
export interface RateLimitOptions {
  /**
   * Open connections per user (as `keyByUser` finds them); one more is refused with 4429.
   * @default 20
   */
  readonly maxConnectionsPerUser?: number;
  /**
   * Open connections per client address (an IPv6 /64), signed in or not. Many people can
   * share an address (offices, carrier NAT), so keep it generous.
   * @default 100
   */
  readonly maxConnectionsPerAddress?: number;
  /**
   * Messages per second a connection may send, sustained; past it (and its burst) the
   * connection is closed with 4429.
   * @default 20
   */
  readonly messagesPerSecond?: number;
  /**
   * Messages a connection may send at once before the rate applies.
   * @default 2 × messagesPerSecond
   */
  readonly burst?: number;
  /**
   * Messages per second one user may send over all their connections together, so opening
   * more sockets does not buy more throughput.
   * @default 3 × messagesPerSecond
   */
  readonly userMessagesPerSecond?: number;
  /**
   * Messages one user may send at once over all their connections.
   * @default 2 × userMessagesPerSecond
   */
  readonly userBurst?: number;
  /**
   * The user a connection is counted under, or null to count it only under its address.
   * @default the id of an authenticated `scope.user` (so place this inside `authMiddleware`)
   */
  readonly keyByUser?: (scope: WebSocketScope) => string | null;
  /**
   * Where refusals are logged, at debug level.
   * @default defaultLogger
   */
  readonly logger?: Logger;
}

interface Limits {
  readonly perUser: ConnectionCounter;
  readonly perAddress: ConnectionCounter;
  readonly connectionBucket: (() => TokenBucket) | null;
  readonly userBucket: (() => TokenBucket) | null;
  readonly keyByUser: (scope: WebSocketScope) => string | null;
  readonly logger: Logger;
}

/** The id of an authenticated user on the scope, if an auth middleware put one there. */
function authenticatedUserId(scope: WebSocketScope): string | null {
  const { user } = scope as WebSocketScope & Partial<WithUser>;
  return user?.isAuthenticated === true ? String(user.id) : null;
}

function bucketFactory(rate: number, burst: number): (() => TokenBucket) | null {
  if (rate === Infinity || burst === Infinity) return null;
  return () => new TokenBucket({ ratePerSecond: rate, capacity: burst });
}

function resolveLimits(options: RateLimitOptions): Limits {
  const limit = (name: keyof RateLimitOptions, value: unknown, integer = false) =>
    checkLimit('rateLimitMiddleware', name, value, { integer, allowInfinity: true });
  const rate = limit('messagesPerSecond', options.messagesPerSecond ?? 20);
  const burst = limit('burst', options.burst ?? 2 * rate);
  const userRate = limit('userMessagesPerSecond', options.userMessagesPerSecond ?? 3 * rate);
  const userBurst = limit('userBurst', options.userBurst ?? 2 * userRate);
  if (options.keyByUser !== undefined && typeof options.keyByUser !== 'function') {
    throw new WsgateError(
      ServerErrorCode.invalidOption,
      'rateLimitMiddleware needs keyByUser to be a function (scope) => string | null.',
    );
  }
  return {
    perUser: new ConnectionCounter(
      limit('maxConnectionsPerUser', options.maxConnectionsPerUser ?? 20, true),
    ),
    perAddress: new ConnectionCounter(
      limit('maxConnectionsPerAddress', options.maxConnectionsPerAddress ?? 100, true),
    ),
    connectionBucket: bucketFactory(rate, burst),
    userBucket: bucketFactory(userRate, userBurst),
    keyByUser: options.keyByUser ?? authenticatedUserId,
    logger: options.logger ?? defaultLogger,
  };
}

/** Why a message was refused, and when sending may resume. */
interface Flooded {
  readonly message: string;
  readonly retryAfterMs: number;
}

/** Why a new connection is refused, or null if it may open. */
function connectionRefusal(limits: Limits, user: string | null, address: string | null) {
  if (user !== null && limits.perUser.isFull(user)) {
    return `too many connections for this user (limit ${limits.perUser.limit})`;
  }
  if (address !== null && limits.perAddress.isFull(address)) {
    return `too many connections from this address (limit ${limits.perAddress.limit})`;
  }
  return null;
}

/**
 * Limits open WebSocket connections per user and per client address, and messages per
 * second per connection and per user; HTTP passes through untouched.
 *
 * - Over a connection limit at the handshake, the application never runs: the connection is
 *   refused with close 4429 (the adapter completes the upgrade, sends `auth.error` and
 *   closes, so a browser can read why).
 * - Over a message rate, the connection gets `auth.error {code: 4429, retryAfterMs}` and is
 *   closed 4429; the application receives `websocket.disconnect` with code 4429 and sees none
 *   of the messages after the one that tripped the limit. `retryAfterMs` is how long until the
 *   exhausted bucket is full again.
 *
 * A connection counts from its handshake until it ends (its disconnect arrives, or the
 * application returns or throws) and is given back exactly once, however it ends; a connection
 * closed for flooding counts until its socket is gone. Place it inside the auth stack so it
 * sees `scope.user`; without a user it limits per address only. Per-user counts follow the
 * user known at the handshake, not a later in-socket login.
 *
 * @example
 * const websocket = authMiddlewareStack(
 *   rateLimitMiddleware(urlRouter([route('/ws/chat/', ChatConsumer.asApp())]), {
 *     maxConnectionsPerUser: 10,
 *     messagesPerSecond: 5,
 *   }),
 *   { session: { password }, loadUser },
 * );
 */
export function rateLimitMiddleware<S extends Scope>(
  inner: Application<S>,
  options: RateLimitOptions = {},
): Application<S> {
  const limits = resolveLimits(options);
  const userBuckets = new Map<string, TokenBucket>();

  const app: Application<S> = async (scope, receive, send) => {
    if (scope.type !== 'websocket') return inner(scope, receive, send);
    const user = limits.keyByUser(scope);
    const address = scope.client === null ? null : addressKey(scope.client[0]);
    const where = { path: scope.path, user, address };

    const refusal = connectionRefusal(limits, user, address);
    if (refusal !== null) {
      limits.logger.debug(`websocket refused 4429: ${refusal}`, where);
      return send({ type: 'websocket.close', code: CloseCode.tooManyRequests, reason: refusal });
    }

    const releases = [
      user === null ? null : limits.perUser.add(user),
      address === null ? null : limits.perAddress.add(address),
    ];
    let userBucket: TokenBucket | null = null;
    if (user !== null && limits.userBucket !== null) {
      userBucket = userBuckets.get(user) ?? limits.userBucket();
      userBuckets.set(user, userBucket);
    }
    const release = (): void => {
      for (const releaseOne of releases.splice(0)) releaseOne?.();
      // The aggregate lives while the user has connections; the last one out removes it.
      if (user !== null && limits.perUser.count(user) === 0) userBuckets.delete(user);
    };

    const guard = new FloodGuard(limits.connectionBucket?.() ?? null, userBucket);
    try {
      await inner(scope, guard.wrap(receive, send, release), send);
      if (guard.tripped) {
        limits.logger.debug('websocket closed 4429: too many messages', where);
        await drainUntilDisconnect(receive);
      }
    } finally {
      release();
    }
  };
  return wrapping(inner, app);
}

/**
 * After a 4429 close, reads the rest: a flooder has filled the inbox, which pauses the socket,
 * and a paused socket would never read the client's close frame.
 */
async function drainUntilDisconnect(receive: Receive): Promise<void> {
  while ((await receive()).type !== 'websocket.disconnect');
}

/** Checks every incoming message against the connection's and the user's buckets. */
class FloodGuard {
  readonly #connection: TokenBucket | null;
  readonly #user: TokenBucket | null;
  #disconnect: WebSocketInboundEvent | null = null;

  constructor(connection: TokenBucket | null, user: TokenBucket | null) {
    this.#connection = connection;
    this.#user = user;
  }

  /** True once a message went over a rate and the connection was closed for it. */
  get tripped(): boolean {
    return this.#disconnect !== null;
  }

  /**
   * `receive` as the application sees it: a message over a rate closes the socket and turns
   * into `websocket.disconnect` 4429; a real disconnect gives the counts back at once.
   */
  wrap(receive: Receive, send: Send, release: () => void): Receive {
    return async () => {
      if (this.#disconnect !== null) return this.#disconnect;
      const event = await receive();
      if (event.type === 'websocket.disconnect') release();
      if (event.type !== 'websocket.receive') return event;
      const flooded = this.#take();
      if (flooded === null) return event;
      const code = CloseCode.tooManyRequests;
      this.#disconnect = { type: 'websocket.disconnect', code };
      const notice = encodeMessage({ type: 'auth.error', code, ...flooded });
      await send({ type: 'websocket.send', text: notice });
      await send({ type: 'websocket.close', code, reason: 'too many messages' });
      return this.#disconnect;
    };
  }

  #take(): Flooded | null {
    if (this.#connection !== null && !this.#connection.tryTake()) {
      return {
        message:
          'Too many messages on this connection: slow down, and reconnect after retryAfterMs.',
        retryAfterMs: this.#connection.msUntilFull(),
      };
    }
    if (this.#user !== null && !this.#user.tryTake()) {
      return {
        message:
          'Too many messages from this user across connections: reconnect after retryAfterMs.',
        retryAfterMs: this.#user.msUntilFull(),
      };
    }
    return null;
  }
}
