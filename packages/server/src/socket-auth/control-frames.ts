/**
 * The client's control messages (`auth.*`, `session.*`), each answered by its reply with the
 * request's `id`. A login is throttled and its `authenticate` bounded; saving the session
 * sends `session.updated` before the `auth.result`, since the client resolves a login only
 * once the ticket became its cookie. Malformed messages get `error`; too many close 4400. A
 * request that meets a Redis outage gets `error` with SESSION_STORE_UNAVAILABLE (or
 * LAYER_UNAVAILABLE) and leaves the socket's user as it was: a logout that could not be
 * recorded keeps the user signed in, rather than signed out here while the cookie still works
 * on every other node.
 */
import { CloseCode, ErrorCode, parseClientMessage } from '@wsgate/shared';
import type { ClientMessage, RequestId, User, WireError } from '@wsgate/shared';
import { login } from '../auth/login.js';
import { logout } from '../auth/logout.js';
import { ServerErrorCode, WsgateError } from '../errors.js';
import { unavailableReply } from '../unavailable-reply.js';
import type { AuthSocket } from './auth-socket.js';

const invalidCredentials: WireError = {
  code: ErrorCode.invalidCredentials,
  message: 'wrong username or password',
};

const busy: WireError = {
  code: ErrorCode.rateLimited,
  message: 'the server is busy checking other logins; try again in a moment',
};

/** What a login attempt comes to when the limit's queue is full: not the user's fault. */
const overloaded = Symbol('overloaded');

/** A login attempt: the user (null: wrong credentials), a lockout, or a full queue. */
type Attempt<U> =
  { readonly user: U | null } | { readonly refusedForMs: number } | typeof overloaded;

/**
 * Classifies and answers one socket's text frames.
 *
 * @example
 * const controls = new ControlFrames(socket);
 * if (!(await controls.handle(text))) passToApplication(text);
 */
export class ControlFrames<U extends User = User> {
  readonly #socket: AuthSocket<U>;
  /** When the recent invalid messages came, oldest first (at most the limit's worth). */
  readonly #invalidAt: number[] = [];

  constructor(socket: AuthSocket<U>) {
    this.#socket = socket;
  }

  /** Handles `text` if it is a control message (valid or not); false: it is the application's. */
  async handle(text: string): Promise<boolean> {
    const frame = parseClientMessage(text);
    if (frame.kind === 'app') return false;
    const socket = this.#socket;
    await socket.exclusive(async () => {
      if (frame.kind === 'invalid') return this.#invalid(frame.error, frame.id);
      const { type, id } = frame.message;
      try {
        await this.#dispatch(frame.message);
      } catch (error) {
        // A backend outage is logged once by the backend; each request it fails is not news.
        const unavailable = unavailableReply(error);
        const { logger } = socket.settings;
        const details = { error, path: socket.scope.path };
        if (unavailable) logger.debug(`socketAuthMiddleware: ${type} failed`, details);
        else logger.error(`socketAuthMiddleware: ${type} failed`, details);
        const reply = unavailable ?? {
          code: ErrorCode.internalError,
          message: `the server could not complete ${type}; try again later`,
        };
        await socket.reply({ type: 'error', id, ...reply });
      }
    });
    return true;
  }

  async #dispatch(message: ClientMessage): Promise<void> {
    const socket = this.#socket;
    switch (message.type) {
      case 'auth.login':
        return this.#logIn(message.id, message.credentials);
      case 'auth.logout': {
        const before = socket.scope.user;
        await logout(socket.scope);
        socket.setUser(socket.scope.user, 'logout', before);
        await socket.session.save();
        return this.#answer(message.id);
      }
      case 'auth.whoami':
        return this.#answer(message.id);
      case 'session.refresh':
        await socket.session.save();
        return this.#answer(message.id);
      case 'session.ping':
        return socket.reply({ type: 'session.pong', id: message.id });
    }
  }

  async #answer(id: RequestId): Promise<void> {
    await this.#socket.reply({ type: 'auth.result', id, ok: true, user: this.#socket.wireUser() });
  }

  async #logIn(id: RequestId, credentials: unknown): Promise<void> {
    const socket = this.#socket;
    const attempt = await this.#attempt(credentials);
    if (attempt === overloaded) {
      return socket.reply({ type: 'auth.result', id, ok: false, error: busy });
    }
    if ('refusedForMs' in attempt) {
      const message = `too many failed logins: try again in ${Math.ceil(attempt.refusedForMs / 1000)} s`;
      return socket.closeWith(CloseCode.tooManyRequests, message, attempt.refusedForMs);
    }
    if (attempt.user === null) {
      return socket.reply({ type: 'auth.result', id, ok: false, error: invalidCredentials });
    }
    const before = socket.scope.user;
    await login(socket.scope, attempt.user);
    socket.setUser(socket.scope.user, 'login', before);
    await socket.session.save();
    return this.#answer(id);
  }

  /**
   * The throttle's verdict and `authenticate`, in one slot of the limit: checked before
   * queueing, parallel guesses would all pass before the first failure was recorded.
   * `authenticate` gets a copy of the scope, which it cannot disturb.
   */
  async #attempt(credentials: unknown): Promise<Attempt<U>> {
    const { loginThrottle, accountKey, authenticateLimit, authenticate } = this.#socket.settings;
    const account = accountKey(credentials);
    const address = this.#socket.scope.client?.[0] ?? null;
    const scope = { ...this.#socket.scope };
    try {
      return await authenticateLimit.run(async (): Promise<Attempt<U>> => {
        const decision = await loginThrottle?.check(account, address);
        if (decision?.allowed === false) return { refusedForMs: decision.retryAfterMs };
        const user = (await authenticate(credentials, scope)) ?? null;
        if (user === null) await loginThrottle?.recordFailure(account, address);
        else await loginThrottle?.recordSuccess(account, address);
        return { user };
      });
    } catch (error) {
      if (error instanceof WsgateError && error.code === ServerErrorCode.overloaded) {
        return overloaded;
      }
      throw error;
    }
  }

  async #invalid(error: WireError, id: RequestId | undefined): Promise<void> {
    const { maxInvalidFrames, invalidFrameWindowMs } = this.#socket.settings;
    const now = Date.now();
    const recent = this.#invalidAt;
    while (recent.length > 0 && (recent[0] as number) <= now - invalidFrameWindowMs) recent.shift();
    recent.push(now);
    if (recent.length >= maxInvalidFrames) {
      const message = `${recent.length} malformed or unknown control messages within ${invalidFrameWindowMs} ms; the last: ${error.message}`;
      return this.#socket.closeWith(CloseCode.badMessage, message);
    }
    await this.#socket.reply({ type: 'error', ...(id === undefined ? {} : { id }), ...error });
  }
}
