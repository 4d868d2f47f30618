/**
 * One socket's auth state behind socketAuthMiddleware: its own copy of the scope (login and
 * logout set `user` on it), the session, and what keeps them honest while the socket is open:
 * tickets on every save, the expiry timer, the revocation listener and the periodic re-check.
 * Everything that changes the user runs one at a time (`exclusive`), in arrival order.
 */
import { CloseCode, encodeMessage } from '@wsgate/shared';
import type {
  ScopeUser,
  Send,
  ServerMessage,
  SessionUpdatedMessage,
  User,
  WebSocketAuthEvent,
  WebSocketAuthReason,
  WireUser,
} from '@wsgate/shared';
import { anonymousUser } from '../auth/anonymous-user.js';
import { getUser } from '../auth/get-user.js';
import { sessionUserIdKey } from '../auth/session-user.js';
import type { RevocationNotice } from '../sessions/revocation-notice.js';
import type { SealedSession, SessionSavedEvent } from '../sessions/sealed-session.js';
import { unavailableReply } from '../unavailable-reply.js';
import { Deadline } from './deadline-queue.js';
import type { DeadlineQueue } from './deadline-queue.js';
import { ExpiryTimer } from './expiry-timer.js';
import type { RevocationFollower, RevocationListener } from './revocation-listener.js';
import type { SocketAuthScope, SocketAuthSettings } from './socket-auth-options.js';
import { expiringNoticeFor } from './socket-auth-options.js';
import { maxBoundSessions, sealTicket } from './ticket-codec.js';

/** The middleware's own scope copy: `login`/`logout` write `user` on it. */
export type MutableAuthScope<U extends User> = SocketAuthScope<U> & { user: ScopeUser<U> };

type Phase = 'handshake' | 'open' | 'closed';

/** Equal when their JSON is: fields a reload may change. Unencodable users count as changed. */
function sameUser(a: unknown, b: unknown): boolean {
  try {
    return JSON.stringify(a) === JSON.stringify(b);
  } catch {
    return false;
  }
}

/**
 * @example
 * const socket = new AuthSocket(scope, session, settings, send, (event) => events.inject(event));
 * // the application accepted:
 * socket.accepted();
 * // the socket closed:
 * await socket.stop();
 */
export class AuthSocket<U extends User = User> implements RevocationFollower {
  readonly scope: MutableAuthScope<U>;
  readonly session: SealedSession;
  readonly settings: SocketAuthSettings<U>;
  readonly #send: Send;
  readonly #inject: (event: WebSocketAuthEvent) => void;
  readonly #expiry: ExpiryTimer;
  readonly #revocations: RevocationListener;
  readonly #stopSaved: () => void;
  #phase: Phase = 'handshake';
  #chain: Promise<unknown> = Promise.resolve();
  /** The next re-check, on the middleware's deadline queue. */
  readonly #reverifyDeadline: Deadline;
  /** A `session.updated` from a save before accept, sent once the socket is open. */
  #pendingUpdate: SessionUpdatedMessage | undefined;
  /** Sessions whose cookie the client may hold: the opening one, then each ticket's. */
  #cookieSessions: string[];

  constructor(
    scope: MutableAuthScope<U>,
    session: SealedSession,
    settings: SocketAuthSettings<U>,
    send: Send,
    inject: (event: WebSocketAuthEvent) => void,
    revocations: RevocationListener,
    deadlines: DeadlineQueue,
  ) {
    this.scope = scope;
    this.session = session;
    this.settings = settings;
    this.#send = send;
    this.#inject = inject;
    this.#cookieSessions = [session.id];
    const { ttl } = session.settings;
    this.#expiry = new ExpiryTimer(
      expiringNoticeFor(settings.expiringNoticeMs, ttl),
      {
        expiring: (expiresAt) => {
          void this.#background('session.expiring', () => this.#expiring(expiresAt));
        },
        expired: () => {
          void this.#background('expiry', () => this.#expired());
        },
      },
      deadlines,
    );
    this.#reverifyDeadline = new Deadline(deadlines, () => {
      // As setInterval: the next one is counted from this one.
      this.#reverifyDeadline.at(Date.now() + this.settings.reverifyIntervalMs);
      void this.#background('re-check', () => this.#reverify());
    });
    this.#revocations = revocations;
    this.#stopSaved = session.addSavedListener((event) => this.#saved(event));
  }

  get isOpen(): boolean {
    return this.#phase === 'open';
  }

  /** The application accepted: start watching the session, send what waited. */
  accepted(): void {
    if (this.#phase !== 'handshake') return;
    this.#phase = 'open';
    const pending = this.#pendingUpdate;
    this.#pendingUpdate = undefined;
    if (pending) void this.#background('session.updated', () => this.reply(pending));
    this.#watchSession();
  }

  /** The socket is closing or closed: nothing more is sent or timed. */
  async stop(): Promise<void> {
    if (this.#phase === 'closed') return;
    this.#phase = 'closed';
    this.#stopSaved();
    this.#expiry.stop();
    this.#reverifyDeadline.stop();
    await this.#revocations.follow(this, null);
  }

  /** Runs `task` after every earlier one: user changes never interleave. */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(task);
    this.#chain = run.catch(() => undefined);
    return run;
  }

  /** Sends a protocol message, while the socket is open. */
  async reply(message: ServerMessage): Promise<void> {
    if (this.#phase !== 'open') return;
    await this.#send({ type: 'websocket.send', text: encodeMessage(message) });
  }

  /** Tells the client why (`auth.error`), then closes with `code`. */
  async closeWith(code: number, message: string, retryAfterMs?: number): Promise<void> {
    if (this.#phase !== 'open') return;
    await this.reply({
      type: 'auth.error',
      code,
      message,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
    await this.#send({ type: 'websocket.close', code });
    await this.stop();
  }

  /**
   * Makes `user` the socket's user and tells the application, unless it stays anonymous.
   * `previous` is the user before `login`/`logout`, which already wrote the scope.
   */
  setUser(user: ScopeUser<U>, reason: WebSocketAuthReason, previous = this.scope.user): void {
    this.scope.user = user;
    if (!previous.isAuthenticated && !user.isAuthenticated) return;
    this.#inject({ type: 'websocket.auth', user, reason });
  }

  /** A logout of a session elsewhere (of this socket's, unless it moved on since). */
  revocationNoticed(notice: RevocationNotice): void {
    void this.#background('revocation', () => this.#revoked(notice));
  }

  /** The socket's user as the client may see it. */
  wireUser(): WireUser | null {
    const { user } = this.scope;
    return user.isAuthenticated ? this.settings.serializeUser(user) : null;
  }

  /**
   * After the session changed: the expiry to time, the session group to listen to, the user to
   * re-check. Only a session that names a user is watched: anonymous sockets cost no timers.
   */
  #watchSession(): void {
    if (this.#phase !== 'open') return;
    const named = this.session.has(sessionUserIdKey);
    this.#expiry.schedule(named ? this.session.expiresAt : null);
    void this.#revocations.follow(this, named ? this.session.id : null);
    const every = this.settings.reverifyIntervalMs;
    if (!named || every === 0) this.#reverifyDeadline.stop();
    else if (!this.#reverifyDeadline.isScheduled) this.#reverifyDeadline.at(Date.now() + every);
  }

  /** A save in this socket (ours or the application's): the client gets a ticket for it. */
  async #saved({ sessionId, seal, expiresAt, codec }: SessionSavedEvent): Promise<void> {
    const ticket = await sealTicket(
      codec,
      { sessionId, seal, sessionExpiresAt: expiresAt, boundTo: this.#cookieSessions },
      this.settings.ticketTtlSeconds,
    );
    if (seal !== null && !this.#cookieSessions.includes(sessionId)) {
      this.#cookieSessions = [...this.#cookieSessions, sessionId].slice(-maxBoundSessions);
    }
    // An emptied session has no expiry: 0 tells the client there is nothing to refresh.
    const update: SessionUpdatedMessage = {
      type: 'session.updated',
      ticket,
      expiresAt: expiresAt ?? 0,
    };
    if (this.#phase === 'handshake') this.#pendingUpdate = update;
    else await this.reply(update);
    await this.#followApplication();
    this.#watchSession();
  }

  /** The application logged in or out itself (then saved): catch up with the session. */
  async #followApplication(): Promise<void> {
    const named = this.session.get(sessionUserIdKey);
    const { user } = this.scope;
    if (named === (user.isAuthenticated ? String(user.id) : undefined)) return;
    const current = await getUser<U>(this.scope);
    this.setUser(current, current.isAuthenticated ? 'login' : 'logout');
  }

  async #expiring(expiresAt: number): Promise<void> {
    await this.reply({ type: 'session.expiring', expiresAt });
  }

  async #expired(): Promise<void> {
    if (this.#phase !== 'open' || !this.session.has(sessionUserIdKey)) return;
    this.session.flush();
    if (this.settings.onExpiry === 'close') {
      return this.closeWith(CloseCode.unauthenticated, 'the session expired: log in again');
    }
    await this.reply({ type: 'auth.expired' });
    this.setUser(anonymousUser, 'expired');
    this.#watchSession();
  }

  async #revoked({ sessionId, reason }: RevocationNotice): Promise<void> {
    // This socket's own logout is announced to it too; it already answered that itself.
    if (sessionId !== this.session.id || this.session.revokedHere(sessionId)) return;
    await this.#endSession(reason);
  }

  async #reverify(): Promise<void> {
    if (this.#phase !== 'open' || !this.scope.user.isAuthenticated) return;
    await this.#revocations.renew(this);
    if (await this.session.isRevoked()) return this.#endSession('logged out');
    const current = await getUser<U>(this.scope);
    if (!current.isAuthenticated) return this.#endSession('user changed');
    if (!sameUser(current, this.scope.user)) this.setUser(current, 'reverified');
  }

  /** The session was revoked or its user is gone: anonymous from now on, or closed 4403. */
  async #endSession(reason: string): Promise<void> {
    if (this.#phase !== 'open') return;
    this.session.flush();
    if (this.settings.onRevoked === 'close') {
      return this.closeWith(CloseCode.forbidden, `the session was revoked: ${reason}`);
    }
    await this.reply({ type: 'auth.revoked', reason });
    this.setUser(anonymousUser, 'revoked');
    this.#watchSession();
  }

  /**
   * Runs work no client request waits for; a failure is logged, never thrown. A backend outage
   * is logged by the backend once; the re-check it fails runs again at its next interval.
   */
  #background(what: string, task: () => Promise<void>): Promise<void> {
    return this.exclusive(task).catch((error: unknown) => {
      const details = { error, path: this.scope.path };
      const { logger } = this.settings;
      if (unavailableReply(error))
        logger.debug(`socketAuthMiddleware: the ${what} failed`, details);
      else logger.error(`socketAuthMiddleware: the ${what} failed`, details);
    });
  }
}
