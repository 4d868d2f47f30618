import type {
  Application,
  Header,
  InboundEvent,
  Receive,
  Scope,
  ScopeUser,
  Send,
  User,
  WebSocketAuthReason,
  WebSocketScope,
  WithUser,
} from '@wsgate/shared';
import { CloseCode, encodeMessage } from '@wsgate/shared';
import { AsyncQueue } from '../async-queue.js';
import { copyWith } from '../copy-with.js';
import { WsgateError } from '../errors.js';
import type { ChannelLayer, ChannelLayerMessage } from '../layers/channel-layer.js';
import { defaultLogger } from '../logger.js';
import type { Logger } from '../logger.js';
import { unavailableReply } from '../unavailable-reply.js';
import { handlerName, reserveBuiltInMethods } from './handler-name.js';

/** A frame from the client: exactly one of `text` and `bytes` is set. */
export interface WebSocketFrame {
  readonly text?: string;
  readonly bytes?: Uint8Array;
}

/**
 * The user type a consumer's scope declares (`WithUser<U>`), or any user: what `authChanged`
 * is given.
 *
 * @example
 * type ChatUser = ConsumerUser<WebSocketScope & WithUser<AppUser>>; // ScopeUser<AppUser>
 */
export type ConsumerUser<S extends WebSocketScope> =
  S extends WithUser<infer U extends User> ? ScopeUser<U> : ScopeUser;

/** What `asApp` hands each consumer it creates. */
export interface ConsumerInit<S extends WebSocketScope> {
  readonly scope: S;
  readonly send: Send;
  readonly channelLayer: ChannelLayer | null;
  readonly logger: Logger;
}

/** Options for `asApp`, shared by every connection of the application. */
export interface ConsumerAppOptions {
  /** The layer for groups and `this.channelName`. @default null (no layer) */
  readonly channelLayer?: ChannelLayer | null;
  /** Where failures to leave groups are reported. @default defaultLogger */
  readonly logger?: Logger;
}

/** Why a connection is refused, or closed, when a backend it needs to start is away. */
const unavailableToStart =
  'the server cannot reach a service it needs for the moment; try again in a few seconds';

const leaveFailed = 'a consumer could not leave its group; it will expire';

// Which source woke the dispatch loop (see #dispatchWithLayer).
const fromApp = 0;
const fromLayer = 1;
const failed = 2;

/**
 * A WebSocket connection as a class (Channels' WebsocketConsumer): override the hooks
 * `connect` (default: accept), `receive` and `disconnect`, and act with `accept`, `send` and
 * `close`. With a channel layer, the consumer joins `groups` on connect and leaves them on
 * disconnect, and a layer message `{ type: 'chat.message' }` calls `this.chatMessage(message)`.
 * Events are handled one at a time, in arrival order; an exception from a hook ends the
 * connection (the server closes it with 1011 and logs why). A backend outage (Redis away:
 * `LAYER_UNAVAILABLE`, `STORE_UNAVAILABLE`) does not: a failed `connect` closes with 1013
 * (try again later), a failed `receive` or `authChanged` sends the client an `error` with
 * that code, and a failed `disconnect` or layer handler is logged.
 *
 * Declare the scope the consumer runs behind, e.g. `WebsocketConsumer<WebSocketScope &
 * WithUser>` under `authMiddleware`, and `this.scope.user` is typed.
 *
 * Behind `socketAuthMiddleware`, a login, logout, revocation or expiry on the open socket
 * arrives as a `websocket.auth` event: `this.scope` becomes a copy carrying the new user and
 * `authChanged(user, reason)` is called. Scopes held by middleware outside the consumer are
 * copies and keep the user of the handshake.
 *
 * @example
 * class ChatConsumer extends WebsocketConsumer<WebSocketScope & WithUser> {
 *   override groups = ['lobby'];
 *   override async receive({ text }: WebSocketFrame) {
 *     await this.channelLayer?.groupSend('lobby', { type: 'chat.message', text });
 *   }
 *   async chatMessage(message: { text: string }) {
 *     await this.send(message.text);
 *   }
 * }
 * const channelLayer = new InMemoryChannelLayer();
 * serve(protocolTypeRouter({ websocket: ChatConsumer.asApp({ channelLayer }) }));
 */
export class WebsocketConsumer<S extends WebSocketScope = WebSocketScope> {
  /**
   * Groups joined before `connect()` runs and left on disconnect; needs a channel layer.
   * A field initialiser may use `this.scope`, e.g. `[\`room.${this.scope.urlRoute.kwargs.room}\`]`.
   */
  groups: readonly string[] = [];
  /** The layer passed to `asApp`, or null. */
  readonly channelLayer: ChannelLayer | null;
  #scope: S;
  readonly #send: Send;
  readonly #logger: Logger;
  #channelName: string | null = null;
  #joined: readonly string[] = [];

  constructor(init: ConsumerInit<S>) {
    this.#scope = init.scope;
    this.#send = init.send;
    this.channelLayer = init.channelLayer;
    this.#logger = init.logger;
  }

  /**
   * An application that runs one instance of this class per connection.
   *
   * @example
   * const app = ChatConsumer.asApp({ channelLayer });
   */
  static asApp<S extends WebSocketScope>(
    this: new (init: ConsumerInit<S>) => WebsocketConsumer<S>,
    options: ConsumerAppOptions = {},
  ): Application<S> {
    const channelLayer = options.channelLayer ?? null;
    const logger = options.logger ?? defaultLogger;
    // Not async: an idle connection then holds the promise of #run and none of this function's.
    return (scope, receive, send) => {
      let consumer: WebsocketConsumer<S>;
      try {
        if ((scope as Scope).type !== 'websocket') {
          throw new WsgateError(
            'UNKNOWN_SCOPE_TYPE',
            `${this.name} handles websocket connections, not ${(scope as Scope).type}; ` +
              'route other types elsewhere with protocolTypeRouter.',
          );
        }
        consumer = new this({ scope, send, channelLayer, logger });
      } catch (thrown) {
        // An application reports failure by rejecting, also when a constructor throws.
        const error = thrown as Error;
        return Promise.reject(error);
      }
      return consumer.#run(receive);
    };
  }

  /**
   * The connection's scope. Replaced by a copy when `socketAuthMiddleware` reports that the
   * user changed, so read `this.scope.user` each time rather than keeping it.
   */
  get scope(): S {
    return this.#scope;
  }

  /** This connection's own channel on the layer: `channelLayer.send(channelName, ...)` reaches it. */
  get channelName(): string {
    if (this.#channelName === null) {
      throw new WsgateError(
        'INVALID_OPTION',
        `${this.constructor.name} has no channel layer, so no channel name; pass one with ` +
          `${this.constructor.name}.asApp({ channelLayer }).`,
      );
    }
    return this.#channelName;
  }

  /** Called when the client opens the connection, after joining `groups`. Default: accept. */
  connect(): void | Promise<void> {
    return this.accept();
  }

  /** Called with each frame from the client. */
  receive(_frame: WebSocketFrame): void | Promise<void> {}

  /** Called once the connection is closed (either side), after leaving `groups`. */
  disconnect(_code: number): void | Promise<void> {}

  /**
   * Called when `socketAuthMiddleware` reports that the connection's user changed (login,
   * logout, revocation, expiry, or a re-check that found changed fields), after `this.scope`
   * was updated. Default: nothing.
   *
   * @example
   * override async authChanged(user: ConsumerUser<ChatScope>, reason: WebSocketAuthReason) {
   *   if (!user.isAuthenticated && reason === 'revoked') await this.close(4403);
   * }
   */
  authChanged(_user: ConsumerUser<S>, _reason: WebSocketAuthReason): void | Promise<void> {}

  /** Accepts the connection, choosing one of `scope.subprotocols` if the client offered any. */
  accept(subprotocol?: string | null, headers?: readonly Header[]): Promise<void> {
    return this.#send({
      type: 'websocket.accept',
      ...(subprotocol != null && { subprotocol }),
      ...(headers !== undefined && { headers }),
    });
  }

  /** Sends a frame: a string as text, or `{ text }` / `{ bytes }`. */
  send(data: string | { readonly text: string } | { readonly bytes: Uint8Array }): Promise<void> {
    if (typeof data === 'string') return this.#send({ type: 'websocket.send', text: data });
    const { text, bytes } = data as WebSocketFrame;
    if (typeof text === 'string' && bytes === undefined) {
      return this.#send({ type: 'websocket.send', text });
    }
    if (bytes instanceof Uint8Array && text === undefined) {
      return this.#send({ type: 'websocket.send', bytes });
    }
    return Promise.reject(
      new WsgateError(
        'INVALID_OPTION',
        'send() takes a string, { text: string } or { bytes: Uint8Array }, with exactly one of them.',
      ),
    );
  }

  /**
   * Closes the connection. Before accept, no code rejects the handshake (HTTP 403) and a 4xxx
   * code (or 1013, try again later) tells the client why; the consumer keeps running until the
   * disconnect arrives.
   */
  close(code?: number, reason?: string): Promise<void> {
    return this.#send({
      type: 'websocket.close',
      ...(code !== undefined && { code }),
      ...(reason !== undefined && { reason }),
    });
  }

  async #run(receive: Receive): Promise<void> {
    const layer = this.channelLayer;
    try {
      if (layer) {
        const channelName = await layer.newChannel();
        this.#channelName = channelName;
        await this.#dispatchWithLayer(receive, layer, channelName);
      } else {
        for (;;) {
          const event = await receive();
          try {
            await this.#handleEvent(event);
          } catch (error) {
            await this.#outlive(error, event.type);
          }
          if (event.type === 'websocket.disconnect') return;
        }
      }
    } finally {
      // Only after a crash is anything still joined: don't let a dead channel linger in groups.
      if (this.#joined.length > 0) await this.#leaveGroups();
    }
  }

  /**
   * Channels' await_many_dispatch: one pending read on each source, results handled one at a
   * time in arrival order, and a source read again only once its last result is handled. The
   * callbacks are made once per connection, not per event.
   */
  async #dispatchWithLayer(receive: Receive, layer: ChannelLayer, channel: string): Promise<void> {
    const inbox = new AsyncQueue<number>();
    const stop = new AbortController();
    const readOptions = { signal: stop.signal };
    let event: InboundEvent | undefined;
    let message: ChannelLayerMessage | undefined;
    let failure: unknown;
    const onEvent = (value: InboundEvent): void => {
      event = value;
      inbox.push(fromApp);
    };
    const onMessage = (value: ChannelLayerMessage): void => {
      message = value;
      inbox.push(fromLayer);
    };
    const onFailure = (error: unknown): void => {
      failure = error;
      inbox.push(failed);
    };
    receive().then(onEvent, onFailure);
    layer.receive(channel, readOptions).then(onMessage, onFailure);
    try {
      for (;;) {
        const source = await inbox.shift();
        if (source === fromApp) {
          const current = event as InboundEvent;
          try {
            await this.#handleEvent(current);
          } catch (error) {
            await this.#outlive(error, current.type);
          }
          if (current.type === 'websocket.disconnect') return;
          receive().then(onEvent, onFailure);
        } else if (source === fromLayer) {
          const current = message as ChannelLayerMessage;
          try {
            await this.#handleLayerMessage(current);
          } catch (error) {
            await this.#outlive(error, `layer message ${current.type}`);
          }
          layer.receive(channel, readOptions).then(onMessage, onFailure);
        } else {
          throw failure;
        }
      }
    } finally {
      stop.abort(new WsgateError('LAYER_CLOSED', 'the consumer stopped listening.'));
    }
  }

  /**
   * Calls the hook for `event` and hands back what it returned. Not async: a frame's hook is
   * then awaited once, by the loop, rather than through a layer of its own.
   */
  #handleEvent(event: InboundEvent): void | Promise<void> {
    switch (event.type) {
      case 'websocket.receive':
        return this.receive(event);
      case 'websocket.connect':
        return this.#connect();
      case 'websocket.disconnect':
        return this.#disconnect(event.code);
      case 'websocket.auth':
        this.#scope = copyWith(this.#scope, { user: event.user });
        return this.authChanged(event.user as ConsumerUser<S>, event.reason);
      default:
        throw new WsgateError(
          'PROTOCOL_VIOLATION',
          `${this.constructor.name} got a ${event.type} event; consumers handle websocket ` +
            'events only. Route HTTP elsewhere with protocolTypeRouter.',
        );
    }
  }

  /**
   * A hook failed: rethrows (ending the connection with 1011) unless a backend was away for
   * now, which is nobody's bug and ends no connection. The client is told when it is waiting
   * on what failed; what only others would have seen is logged.
   */
  async #outlive(error: unknown, during: string): Promise<void> {
    const reply = unavailableReply(error);
    if (reply === undefined) throw error;
    const details = { during, error: (error as Error).message };
    if (during === 'websocket.connect') {
      this.#logger.debug(
        `${this.constructor.name}: closing 1013, a backend is unavailable`,
        details,
      );
      return this.close(CloseCode.tryAgainLater, unavailableToStart);
    }
    if (during === 'websocket.receive' || during === 'websocket.auth') {
      this.#logger.debug(
        `${this.constructor.name}: told the client a backend is unavailable`,
        details,
      );
      return this.#send({
        type: 'websocket.send',
        text: encodeMessage({ type: 'error', ...reply }),
      });
    }
    this.#logger.warn(
      `${this.constructor.name} could not finish a ${during}: a backend is unavailable`,
      details,
    );
  }

  // Not async, and the group steps are skipped rather than called to do nothing: each async
  // call and await costs every connection a promise, a reaction and a tick. A hook that throws
  // instead of rejecting is caught where the event is handled, as a rejection would be.
  #connect(): void | Promise<void> {
    if (this.groups.length > 0) return this.#joinGroups().then(() => this.connect());
    return this.connect();
  }

  #disconnect(code: number): void | Promise<void> {
    if (this.#joined.length > 0) return this.#leaveGroups().then(() => this.disconnect(code));
    return this.disconnect(code);
  }

  async #handleLayerMessage(message: ChannelLayerMessage): Promise<void> {
    const name = handlerName(message.type);
    const handler = (this as unknown as Record<string, unknown>)[name];
    if (typeof handler !== 'function') {
      throw new WsgateError(
        'NO_HANDLER',
        `${this.constructor.name} has no handler for channel-layer message type ` +
          `${JSON.stringify(message.type)}: define a method ${name}(message).`,
      );
    }
    await (handler as (message: ChannelLayerMessage) => unknown).call(this, message);
  }

  async #joinGroups(): Promise<void> {
    const layer = this.channelLayer;
    if (!layer) {
      throw new WsgateError(
        'INVALID_OPTION',
        `${this.constructor.name} has groups (${this.groups.join(', ')}) but no channel layer; ` +
          `pass one with ${this.constructor.name}.asApp({ channelLayer }).`,
      );
    }
    // Recorded first, so a partial failure still leaves every group it may have joined.
    this.#joined = [...this.groups];
    const channel = this.channelName;
    await Promise.all(this.#joined.map((group) => layer.groupAdd(group, channel)));
  }

  /** Never throws: leaving runs on the way out, where a failure must not hide the real one. */
  async #leaveGroups(): Promise<void> {
    const groups = this.#joined;
    const layer = this.channelLayer;
    if (!layer) return;
    this.#joined = [];
    const channel = this.channelName;
    const results = await Promise.allSettled(
      groups.map((group) => layer.groupDiscard(group, channel)),
    );
    results.forEach((result, index) => {
      if (result.status === 'rejected') {
        const details = { group: groups[index], channel, error: result.reason as unknown };
        // An outage is the layer's to log, once; Redis' layer leaves the group on its return.
        if (unavailableReply(result.reason)) this.#logger.debug(leaveFailed, details);
        else this.#logger.warn(leaveFailed, details);
      }
    });
  }
}

reserveBuiltInMethods(WebsocketConsumer.prototype);
