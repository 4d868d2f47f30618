/**
 * The `Session` that `sessionMiddleware` puts on the scope: the opened seal's data in memory,
 * read and written synchronously, sealed again only when saved. Server-internal extras (the
 * saved-session listeners the in-socket protocol uses, revocation for logout) live here too,
 * outside the public `Session` interface.
 */
import type { Header, Session } from '@wsgate/shared';
import { ServerErrorCode, WsgateError } from '../errors.js';
import { defaultLogger } from '../logger.js';
import { publishRevocation } from './revocation-notice.js';
import { newSessionId, sealSession } from './seal-session.js';
import type { SessionRecord } from './seal-session.js';
import type { SessionCodec } from './session-codec.js';
import { sessionCookieHeader } from './session-cookie.js';
import type { SessionSettings } from './session-options.js';

/** A session as sealed: the cookie to set, or `seal: null` when it is empty (delete the cookie). */
export type SealedState =
  | { readonly seal: string; readonly expiresAt: number; readonly cookie: Header }
  | { readonly seal: null; readonly expiresAt: null; readonly cookie: null };

/** What a socket's `session.save()` tells its listeners. */
export interface SessionSavedEvent {
  readonly sessionId: string;
  /** The new seal, or null when the session was emptied (logout): the cookie should go. */
  readonly seal: string | null;
  readonly expiresAt: number | null;
  /** The codec with the session's passwords, to seal a ticket carrying `seal`. */
  readonly codec: SessionCodec;
}

export type SessionSavedListener = (event: SessionSavedEvent) => void | Promise<void>;

const emptyState: SealedState = { seal: null, expiresAt: null, cookie: null };

/** A session for one HTTP request or WebSocket connection. */
export class SealedSession implements Session {
  readonly #settings: SessionSettings;
  readonly #kind: 'http' | 'websocket';
  readonly #secure: boolean;
  #id: string;
  #expiresAt: number | null;
  /** The id this session object revoked last, so its own sockets can ignore that notice. */
  #revokedId: string | undefined;
  readonly #data: Map<string, unknown>;
  #modified = false;
  /** Bumped by every change, so a seal of the current version can be reused. */
  #version = 0;
  #sealing: { readonly version: number; readonly state: Promise<SealedState> } | undefined;
  #saveRequested = false;
  #responseStarted = false;
  /** Made by the first listener: most sessions never get one, and each open socket keeps its. */
  #listeners: Set<SessionSavedListener> | null = null;

  constructor(
    record: SessionRecord | null,
    context: { settings: SessionSettings; kind: 'http' | 'websocket'; secure: boolean },
  ) {
    this.#settings = context.settings;
    this.#kind = context.kind;
    this.#secure = context.secure;
    this.#id = record?.id ?? newSessionId();
    this.#expiresAt = record?.expiresAt ?? null;
    this.#data = new Map(Object.entries(record?.data ?? {}));
  }

  get id(): string {
    return this.#id;
  }

  get isModified(): boolean {
    return this.#modified;
  }

  get isEmpty(): boolean {
    return this.#data.size === 0;
  }

  /** When the seal last opened or saved stops opening (ms since the epoch); null if none. */
  get expiresAt(): number | null {
    return this.#expiresAt;
  }

  /** The middleware's settings: ttl, codec, revocation store, channel layer. */
  get settings(): SessionSettings {
    return this.#settings;
  }

  /** Whether the application called `save()` (HTTP then sets the cookie even if unmodified). */
  get saveRequested(): boolean {
    return this.#saveRequested;
  }

  get<T = unknown>(key: string): T | undefined {
    return this.#data.get(key) as T | undefined;
  }

  /** Stores `value` (JSON). Changing an object read with `get` is not seen: set it again. */
  set(key: string, value: unknown): void {
    this.#data.set(key, value);
    this.#changed();
  }

  delete(key: string): void {
    if (this.#data.delete(key)) this.#changed();
  }

  has(key: string): boolean {
    return this.#data.has(key);
  }

  flush(): void {
    this.#data.clear();
    this.#id = newSessionId();
    this.#changed();
  }

  cycleId(): void {
    this.#id = newSessionId();
    this.#changed();
  }

  /**
   * Seals the session now, so an oversized session fails here. Over HTTP the cookie is then
   * set on `http.response.start`; in a socket the saved-session listeners get the seal.
   */
  async save(): Promise<void> {
    if (this.#kind === 'http') {
      if (this.#responseStarted) {
        throw new WsgateError(
          ServerErrorCode.session,
          'session.save() was called after http.response.start, so the cookie can no longer be set. Change the session before starting the response: the middleware saves it then.',
        );
      }
      this.#saveRequested = true;
      await this.seal();
      return;
    }
    // Every save in a socket starts the TTL again (a refresh changes nothing else), so the
    // seal of an unchanged version is not reused.
    this.#version += 1;
    const state = await this.seal();
    this.#expiresAt = state.expiresAt;
    const event: SessionSavedEvent = {
      sessionId: this.#id,
      seal: state.seal,
      expiresAt: state.expiresAt,
      codec: this.#settings.codec,
    };
    for (const listener of this.#listeners ?? []) await listener(event);
  }

  /** The current contents sealed, with the cookie for them; reused until the next change. */
  seal(): Promise<SealedState> {
    if (this.#sealing?.version !== this.#version) {
      this.#sealing = { version: this.#version, state: this.#sealNow() };
    }
    return this.#sealing.state;
  }

  /** Past this point (the first `http.response.start`) no cookie can be set. */
  markResponseStarted(): void {
    this.#responseStarted = true;
  }

  /**
   * Refuses this session's id from now on, for as long as any seal of it could open, and tells
   * its open sockets through the channel layer. The store is what makes the revocation hold;
   * a notice that cannot be sent is logged, and the sockets' periodic re-check catches up.
   */
  async revoke(reason = 'logged out'): Promise<void> {
    const id = this.#id;
    await this.#settings.revocationStore.revoke(id, this.#settings.ttl);
    this.#revokedId = id;
    try {
      await publishRevocation(this.#settings.channelLayer, id, reason);
    } catch (error) {
      defaultLogger.warn('could not announce a revoked session on the channel layer', { error });
    }
  }

  /** Whether this object revoked `sessionId` itself (its own socket already knows). */
  revokedHere(sessionId: string): boolean {
    return this.#revokedId === sessionId;
  }

  /** Whether logout (here or elsewhere) revoked this session's id. */
  async isRevoked(): Promise<boolean> {
    return this.#settings.revocationStore.isRevoked(this.#id);
  }

  addSavedListener(listener: SessionSavedListener): () => void {
    const listeners = (this.#listeners ??= new Set());
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  #changed(): void {
    this.#modified = true;
    this.#version += 1;
  }

  async #sealNow(): Promise<SealedState> {
    if (this.#data.size === 0) return emptyState;
    const { seal, expiresAt } = await sealSession(
      this.#settings.codec,
      { id: this.#id, data: Object.fromEntries(this.#data) },
      this.#settings.ttl,
    );
    return {
      seal,
      expiresAt,
      cookie: sessionCookieHeader(this.#settings, seal, expiresAt, this.#secure),
    };
  }
}

/**
 * Calls `listener` whenever `session` is saved inside a socket; returns the unsubscribe. For the
 * in-socket protocol, which pushes `session.updated` from it (server-internal, not exported
 * from the package).
 *
 * @example
 * const stop = onSessionSaved(scope.session, async ({ seal, expiresAt, codec }) => {
 *   await pushSessionUpdated(await codec.seal({ seal }, 60), expiresAt);
 * });
 */
export function onSessionSaved(session: Session, listener: SessionSavedListener): () => void {
  if (!(session instanceof SealedSession)) {
    throw new WsgateError(
      ServerErrorCode.missingMiddleware,
      'onSessionSaved needs the session that sessionMiddleware puts on the scope.',
    );
  }
  return session.addSavedListener(listener);
}
