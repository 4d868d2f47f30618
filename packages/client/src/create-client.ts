/**
 * The reconnecting client: one state machine over successive connections. It owns what
 * outlives a connection (user, send queue, pending requests, session cookie, backoff) and
 * decides after every close, from the close code, whether and when to connect again.
 */
import type { AuthResultMessage, ServerMessage, WireUser } from '@wsgate/shared';
import { CloseCode, ErrorCode } from '@wsgate/shared';
import { Backoff } from './backoff.js';
import { ClientErrorCode, WsgateClientError } from './client-error.js';
import type { ClientOptions, ResolvedOptions } from './client-options.js';
import { resolveOptions } from './client-options.js';
import type { ClientEvents, ClientState, SendResult, WsgateClient } from './client-types.js';
import { describeClose, planAfterClose } from './close-plan.js';
import type { CloseInfo, IncomingFrame } from './connection.js';
import { Connection } from './connection.js';
import { CookieJar } from './cookie-jar.js';
import { assertOutgoing, jsonText } from './outgoing.js';
import { ReconnectScheduler } from './reconnect-scheduler.js';
import { Outbox } from './outbox.js';
import type { RequestType } from './request-manager.js';
import type { OutgoingData } from './send-queue.js';
import { SessionSync } from './session-sync.js';
import { TypedEmitter } from './typed-emitter.js';

class Client implements WsgateClient {
  readonly #options: ResolvedOptions;
  readonly #events = new TypedEmitter<ClientEvents>();
  readonly #backoff: Backoff;
  readonly #outbox: Outbox;
  readonly #jar: CookieJar;
  readonly #session: SessionSync;
  readonly #scheduler: ReconnectScheduler;
  #state: ClientState = 'connecting';
  #user: WireUser | null = null;
  #connection: Connection | undefined;
  #stableTimer: ReturnType<typeof setTimeout> | undefined;
  /** A 4401 already led to a refresh, and no connection has been stable since. */
  #refreshUsed = false;
  /** Own logouts awaiting their answer: the echo of one from another tab is not news. */
  #loggingOut = 0;

  constructor(options: ClientOptions) {
    const o = (this.#options = resolveOptions(options));
    this.#backoff = new Backoff({ baseMs: o.baseMs, capMs: o.capMs, random: o.random });
    this.#outbox = new Outbox(o.queueLimit, o.requestTimeoutMs);
    this.#jar = new CookieJar(o.cookie);
    const endpoint = o.sessionEndpoint;
    this.#session = new SessionSync({
      exchange:
        endpoint === undefined
          ? undefined
          : { endpoint, jar: this.#jar, headers: o.headers, timeoutMs: o.requestTimeoutMs },
      refreshAt: o.refreshAt,
      crossTab: {
        name: `wsgate:${new URL(o.url).host}`,
        enabled: o.crossTab,
        claimTimeoutMs: o.requestTimeoutMs,
        signedOut: (reason) => this.#signedOutElsewhere(reason),
      },
      refreshDue: () => this.#autoRefresh(),
      error: (error) => this.#fail(error),
    });
    this.#scheduler = new ReconnectScheduler({
      connect: () => this.#connect(),
      checkLink: () => this.#connection?.check(),
      scheduled: (attempt) => this.#events.emit('reconnecting', attempt),
    });
    this.#start(() => this.#connect());
  }

  get state(): ClientState {
    return this.#state;
  }

  get user(): WireUser | null {
    return this.#user;
  }

  get nextRetryAt(): number | null {
    return this.#scheduler.retryAt;
  }

  on<E extends keyof ClientEvents>(event: E, listener: (payload: ClientEvents[E]) => void) {
    return this.#events.on(event, listener);
  }

  off<E extends keyof ClientEvents>(event: E, listener: (payload: ClientEvents[E]) => void) {
    this.#events.off(event, listener);
  }

  send(data: OutgoingData): SendResult {
    assertOutgoing(data);
    if (this.#state === 'closed') {
      this.#fail(this.#closedError('a message', [data]));
      return 'dropped';
    }
    const result = this.#outbox.message(data, this.#openLink());
    if (result !== 'full') return result;
    const why = `${this.#options.queueLimit} messages already wait for the connection (raise queueLimit, or wait for 'open')`;
    this.#fail(
      new WsgateClientError(ClientErrorCode.queueFull, `a message was dropped: ${why}`, {
        dropped: [data],
      }),
    );
    return 'dropped';
  }

  sendJson(value: unknown): SendResult {
    return this.send(jsonText(value));
  }

  async login(credentials: unknown): Promise<WireUser> {
    if (credentials === undefined || credentials === null) {
      const message = 'login() needs credentials, e.g. { username, password }';
      throw new WsgateClientError(ErrorCode.badMessage, message);
    }
    // A refused ticket is reported as an `error`; the login itself stands on this socket.
    const [{ user }] = await this.#session.withCookie(() =>
      this.#request('auth.login', { credentials }),
    );
    if (user) return user;
    throw new WsgateClientError(
      ErrorCode.badMessage,
      'the server accepted the login but sent no user',
    );
  }

  async logout(): Promise<void> {
    this.#loggingOut += 1;
    try {
      const [result] = await this.#session.withCookie(() => this.#request('auth.logout'));
      this.#setUser(result.user ?? null);
    } finally {
      this.#loggingOut -= 1;
    }
    this.#session.signedOut('logged out in another tab');
  }

  async whoami(): Promise<WireUser | null> {
    return (await this.#request('auth.whoami')).user ?? null;
  }

  refresh(): Promise<void> {
    return this.#session.refresh(() => this.#request('session.refresh'));
  }

  connect(): void {
    if (this.#state !== 'closed') return;
    this.#startOver();
    this.#setState('connecting');
    // A state listener may have closed the client again.
    if (!this.#isClosed()) this.#start(() => this.#scheduler.now());
  }

  close(code: number = CloseCode.normal, reason = ''): void {
    // What WebSocket.close() itself accepts, checked here so that the error says where it came from.
    if (code !== CloseCode.normal && (code < 3000 || code > 4999)) {
      const message = `close() takes 1000 or a code in 3000-4999, got ${code}`;
      throw new WsgateClientError(ClientErrorCode.invalidOption, message);
    }
    if (this.#state === 'closed') return;
    const connection = this.#detach();
    connection?.close(code, reason);
    if (connection) this.#events.emit('close', { code, reason, willReconnect: false });
    const message = 'the client was closed with close() before this could be done';
    this.#shutdown(new WsgateClientError(ClientErrorCode.clientClosed, message), false);
  }

  /** Follows the session and the network, then makes the first attempt with `attempt`. */
  #start(attempt: () => void): void {
    this.#session.start();
    this.#scheduler.watch();
    attempt();
  }

  #connect(): void {
    const cookie = this.#jar.header();
    const headers =
      cookie === undefined ? this.#options.headers : { ...this.#options.headers, cookie };
    try {
      this.#connection = new Connection(
        { ...this.#options, headers, nextId: () => this.#outbox.requests.nextId() },
        {
          ready: (result) => this.#ready(result),
          frame: (frame) => this.#receive(frame),
          closed: (close) => this.#dropped(close),
        },
      );
    } catch (cause) {
      const message = `could not open a WebSocket to ${this.#options.url} (${String(cause)}); check the url, headers and WebSocket options`;
      const error = new WsgateClientError(ClientErrorCode.invalidOption, message, { cause });
      this.#shutdown(error, true);
    }
  }

  /** The server answered the handshake: send what waited, then tell the application. */
  #ready(result: AuthResultMessage | undefined): void {
    const connection = this.#connection;
    if (connection) this.#outbox.flush(connection);
    this.#stableTimer = setTimeout(() => this.#startOver(), this.#options.stableAfterMs);
    // Listeners may close the client or drop this connection; stop as soon as one did.
    this.#setUser(result?.ok ? (result.user ?? null) : null);
    if (this.#connection !== connection) return;
    this.#setState('open');
    if (this.#connection === connection) this.#events.emit('open', { user: this.#user });
  }

  #receive(frame: IncomingFrame): void {
    if (frame.kind === 'app') return this.#events.emit('message', frame.data);
    if (frame.kind === 'control') return this.#control(frame.message);
    const { id } = frame;
    if (id === undefined || !this.#outbox.requests.reject({ id, ...frame.error })) {
      const message = `the server sent a frame the client cannot use: ${frame.error.message}`;
      this.#fail(new WsgateClientError(frame.error.code, message));
    }
  }

  #control(message: ServerMessage): void {
    switch (message.type) {
      case 'auth.result':
        if (message.ok && message.user !== undefined) this.#setUser(message.user);
        this.#outbox.requests.settle(message);
        return;
      case 'error':
        if (!this.#outbox.requests.reject(message)) {
          this.#fail(new WsgateClientError(message.code, message.message));
        }
        return;
      case 'session.updated':
        return this.#session.updated(message.ticket, message.expiresAt);
      case 'session.expiring':
        return this.#autoRefresh();
      case 'auth.revoked':
        this.#setUser(null);
        this.#events.emit('revoked', { reason: message.reason });
        this.#session.signedOut(message.reason);
        return;
      case 'auth.expired':
        this.#setUser(null);
        this.#events.emit('expired', { reason: 'the session expired' });
        return;
      // A pong only proves the link alive; the connection keeps an auth.error for its close.
      case 'session.pong':
      case 'auth.error':
        return;
    }
  }

  /** The server or the network ended the connection: follow the close code's policy. */
  #dropped(close: CloseInfo): void {
    this.#detach();
    this.#outbox.requests.connectionLost(close.code, close.reason);
    const plan = planAfterClose(close, {
      reconnect: this.#options.reconnect,
      refreshUsed: this.#refreshUsed,
      nextDelay: () => this.#backoff.next(),
    });
    const { code, reason } = close;
    if (plan.action === 'stop') {
      this.#events.emit('close', { code, reason, willReconnect: false });
      const why = describeClose(close);
      if (plan.outcome === 'revoked' || plan.outcome === 'expired') {
        this.#setUser(null);
        this.#events.emit(plan.outcome, { reason: why });
      }
      const message = `the server closed the connection with ${code}: ${why}; the client will not reconnect`;
      const report = plan.outcome !== 'normal' && plan.outcome !== 'disabled';
      return this.#shutdown(new WsgateClientError(code, message), report);
    }
    if (!this.#reconnecting(code, reason)) return;
    if (!plan.refreshFirst) return this.#scheduler.schedule(plan.delayMs);
    // 4401: let a ticket in flight become the cookie, then try once more; another 4401 is final.
    this.#refreshUsed = true;
    void this.#session.settled().then(() => {
      if (this.#state === 'reconnecting' && !this.#connection && !this.#scheduler.pending) {
        this.#scheduler.schedule(0);
      }
    });
  }

  /** Another tab logged out or was revoked: follow it, and reconnect to pick up its cookie. */
  #signedOutElsewhere(reason: string): void {
    // Another tab relaying this tab's own logout (via the server's auth.revoked) must not
    // cut the socket the logout's answer is coming back on.
    if (this.#isClosed() || this.#user === null || this.#loggingOut > 0) return;
    this.#setUser(null);
    this.#events.emit('revoked', { reason });
    const connection = this.#detach();
    if (!connection || this.#isClosed()) return;
    const why = 'session ended in another tab';
    connection.close(CloseCode.normal, why);
    this.#outbox.requests.connectionLost(CloseCode.normal, why);
    if (this.#reconnecting(CloseCode.normal, why)) this.#scheduler.schedule(0);
  }

  /** Announces the close and the reconnect; false when a listener closed the client meanwhile. */
  #reconnecting(code: number, reason: string): boolean {
    this.#events.emit('close', { code, reason, willReconnect: true });
    if (this.#isClosed()) return false;
    this.#setState('reconnecting');
    return this.#state === 'reconnecting';
  }

  /** A stable connection, or connect(): backoff, attempt numbers and the 4401 refresh anew. */
  #startOver(): void {
    this.#backoff.reset();
    this.#scheduler.startOver();
    this.#refreshUsed = false;
  }

  /** Not inlined: listeners can close the client, which the compiler's narrowing cannot see. */
  #isClosed(): boolean {
    return this.#state === 'closed';
  }

  #request(type: RequestType, fields: { credentials?: unknown } = {}): Promise<AuthResultMessage> {
    if (this.#isClosed()) return Promise.reject(this.#closedError(type));
    return this.#outbox.request(type, fields, this.#openLink());
  }

  /** The connection, once its handshake made it usable. */
  #openLink(): Connection | undefined {
    return this.#state === 'open' ? this.#connection : undefined;
  }

  #autoRefresh(): void {
    this.refresh().catch((error: WsgateClientError) => {
      // A refused ticket was already reported when its exchange failed.
      if (error.code !== ClientErrorCode.ticketExchangeFailed) this.#fail(error);
    });
  }

  /** Forgets the current connection and what was timed against it; returns it. */
  #detach(): Connection | undefined {
    const connection = this.#connection;
    this.#connection = undefined;
    clearTimeout(this.#stableTimer);
    return connection;
  }

  /** Stops for good; `report` emits `reason` as an error (not after close() or a 1000). */
  #shutdown(reason: WsgateClientError, report: boolean): void {
    this.#detach();
    this.#scheduler.stop();
    this.#session.stop();
    this.#setState('closed');
    if (report) this.#fail(reason);
    const dropped = this.#outbox.close(reason);
    if (dropped.length === 0) return;
    this.#fail(this.#closedError(`${dropped.length} queued message(s)`, dropped));
  }

  #closedError(what: string, dropped?: readonly OutgoingData[]): WsgateClientError {
    return new WsgateClientError(
      ClientErrorCode.clientClosed,
      `${what} cannot be sent: the client is closed; call connect() to start again`,
      dropped ? { dropped } : {},
    );
  }

  #setState(state: ClientState): void {
    const previous = this.#state;
    if (state === previous) return;
    this.#state = state;
    this.#events.emit('state', { state, previous });
  }

  #setUser(user: WireUser | null): void {
    if (JSON.stringify(user) === JSON.stringify(this.#user)) return;
    this.#user = user;
    this.#events.emit('user', user);
  }

  /** Errors are never lost: without a listener they go to the console. */
  #fail(error: WsgateClientError): void {
    if (this.#events.listenerCount('error') > 0) this.#events.emit('error', error);
    else console.warn(error);
  }
}

/**
 * Opens a reconnecting connection to a wsgate server.
 *
 * @example
 * const client = createClient({ url: 'wss://app.example/ws/chat/lobby/' });
 * client.on('user', (user) => showUser(user));
 * client.on('error', (error) => console.error(error.code, error.message));
 * await client.login({ username: 'ada', password: 'secret' });
 * client.sendJson({ type: 'chat.message', text: 'hello' });
 */
export function createClient(options: ClientOptions): WsgateClient {
  return new Client(options);
}
