import type { Application, Scope, Send, User, WithSession, WithUser } from '@wsgate/shared';
import { userLoaderOf } from '../auth/user-loader.js';
import { ServerErrorCode, WsgateError } from '../errors.js';
import type { ChannelLayer } from '../layers/channel-layer.js';
import { wrapping } from '../routing/url-router-mark.js';
import { SealedSession } from '../sessions/sealed-session.js';
import { AuthSocket } from './auth-socket.js';
import type { MutableAuthScope } from './auth-socket.js';
import { ControlFrames } from './control-frames.js';
import { DeadlineQueue } from './deadline-queue.js';
import { RevocationListener } from './revocation-listener.js';
import { resolveSocketAuthOptions } from './socket-auth-options.js';
import type { SocketAuthOptions } from './socket-auth-options.js';
import { SocketReceive } from './socket-receive.js';

/** `run()`'s promise; a throw becomes a rejection, as from an async function. */
function settled(run: () => Promise<void>): Promise<void> {
  try {
    return Promise.resolve(run());
  } catch (thrown) {
    const error = thrown as Error;
    return Promise.reject(error);
  }
}

/** The session and loader the auth stack puts on the scope, or an error naming the stack. */
function authStackOf(scope: Scope): SealedSession {
  const { session, user } = scope as Partial<WithSession & WithUser>;
  if (!(session instanceof SealedSession) || user === undefined || !userLoaderOf(scope)) {
    throw new WsgateError(
      ServerErrorCode.missingMiddleware,
      'socketAuthMiddleware needs scope.session and scope.user from the auth stack: wrap it as authMiddlewareStack(socketAuthMiddleware(app, { authenticate }), { session, loadUser }).',
    );
  }
  return session;
}

/**
 * In-socket login, logout and session refresh (DESIGN.md, "In-socket auth protocol"): control
 * frames (`auth.login`, `auth.logout`, `auth.whoami`, `session.refresh`, `session.ping`) are
 * answered here and never reach `inner`; every other frame passes through untouched. Place it
 * inside `authMiddlewareStack` and outside the router or consumer.
 *
 * - A session saved in the socket (a login, a logout, a refresh, or the application's own
 *   `scope.session.save()`) sends `session.updated {ticket, expiresAt}` first; the client
 *   trades the ticket for the cookie at {@link sessionEndpoint}.
 * - The session's expiry is enforced while the socket is open: `session.expiring` ahead of
 *   it, then `auth.expired` and an anonymous user (or a 4401 close, `onExpiry: 'close'`).
 * - A logout anywhere (HTTP or socket, any node sharing the session's `channelLayer`) reaches
 *   every socket of that session at once: `auth.revoked` and an anonymous user (or 4403,
 *   `onRevoked: 'close'`). Sockets also re-load their user every `reverifyIntervalMs`.
 * - Failed logins are throttled per account and per address (4429 with `retryAfterMs`);
 *   concurrent `authenticate` calls are bounded.
 *
 * The application learns of a new user from a `websocket.auth {user, reason}` event in its
 * receive stream; `WebsocketConsumer` updates `this.scope.user` and calls `authChanged`. Scopes
 * held by middleware outside this one are copies and keep the handshake's user. The wire shows
 * only a user's `id` unless `serializeUser` says otherwise.
 *
 * @example
 * const websocket = authMiddlewareStack(
 *   socketAuthMiddleware(urlRouter([route('/ws/chat/:room/', ChatConsumer.asApp({ channelLayer }))]), {
 *     authenticate: async ({ username, password }) => checkPassword(username, password),
 *     serializeUser: (user) => ({ id: user.id, name: user.name }),
 *   }),
 *   { session: { password, channelLayer }, loadUser },
 * );
 */
export function socketAuthMiddleware<U extends User>(
  inner: Application<Scope & WithSession & WithUser<U>>,
  options: SocketAuthOptions<U>,
): Application<Scope & WithSession & WithUser<U>>;
// TypeScript cannot infer `S` through the Scope union (as with authMiddleware); the overload
// above covers an inner application that takes both scope types.
export function socketAuthMiddleware<U extends User, S extends Scope>(
  inner: Application<S & WithSession & WithUser<U>>,
  options: SocketAuthOptions<U>,
): Application<S & WithSession & WithUser<U>>;
export function socketAuthMiddleware<U extends User, S extends Scope>(
  inner: Application<S & WithSession & WithUser<U>>,
  options: SocketAuthOptions<U>,
): Application<S & WithSession & WithUser<U>> {
  const settings = resolveSocketAuthOptions(options);
  // One per layer, for all of this middleware's sockets (sessions of different stacks may
  // have different layers).
  const listeners = new WeakMap<ChannelLayer, RevocationListener>();
  const listenerFor = (layer: ChannelLayer): RevocationListener => {
    let listener = listeners.get(layer);
    if (!listener)
      listeners.set(layer, (listener = new RevocationListener(layer, settings.logger)));
    return listener;
  };
  /** Every socket's expiry and re-check, on one timer. */
  const deadlines = new DeadlineQueue();
  const runSocket: Application<S & WithSession & WithUser<U>> = (scope, receive, send) => {
    const session = authStackOf(scope);
    const own = { ...scope } as unknown as MutableAuthScope<U>;
    const events = new SocketReceive(receive, {
      // Made by the first control frame: most sockets never send one after the handshake.
      control: (text) => (controls ??= new ControlFrames(socket)).handle(text),
      disconnected: () => void socket.stop(),
    });
    const socket = new AuthSocket<U>(
      own,
      session,
      settings,
      send,
      (event) => events.inject(event),
      listenerFor(session.settings.channelLayer),
      deadlines,
    );
    let controls: ControlFrames<U> | undefined;
    const innerSend: Send = async (event) => {
      await send(event);
      if (event.type === 'websocket.accept') socket.accepted();
      else if (event.type === 'websocket.close') await socket.stop();
    };
    // Not an async function: its frame would stay suspended for the socket's whole life.
    return settled(() => inner({ ...scope }, events.receive, innerSend)).then(
      () => socket.stop(),
      (error: unknown) =>
        socket.stop().then(() => {
          throw error;
        }),
    );
  };
  const app: Application<S & WithSession & WithUser<U>> = (scope, receive, send) =>
    settled(() => (scope.type === 'websocket' ? runSocket : inner)(scope, receive, send));
  return wrapping(inner, app);
}
