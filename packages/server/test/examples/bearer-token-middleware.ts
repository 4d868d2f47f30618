/**
 * An example of authentication your own way, built on `BaseMiddleware`: a bearer token instead
 * of the session cookie, for clients that hold a token (mobile apps, other services, a SPA on
 * another site). Channels' docs show the same idea as "QueryAuthMiddleware".
 *
 * Where the token travels, in the order it is looked for:
 * 1. The `Sec-WebSocket-Protocol` header, the one header a browser lets a page set on a
 *    WebSocket: `new WebSocket(url, ['wsgate.bearer', token])`. The marker comes first and the
 *    token right after it. The token must be a subprotocol token (RFC 9110 tchar: letters,
 *    digits and `!#$%&'*+-.^_`|~`), which base64url without padding and JWTs are. The server
 *    accepts with `wsgate.bearer`, never with the token: browsers fail a handshake that offered
 *    subprotocols and got none back, and response headers end up in logs. Putting the marker
 *    first also means that anything choosing "the first offered protocol" (like the adapter's
 *    4xxx close path) echoes the marker.
 * 2. The query string: `wss://host/ws/?token=...`. Simplest for non-browser clients, but URLs
 *    are written to access logs and proxies; prefer short-lived tokens there.
 *
 * No token, or one `findUser` does not know, gives `anonymousUser`, as Channels'
 * AuthMiddleware does: deciding who may do what is the application's job, and an application
 * that needs a user closes with 4401, which the client reads as "get a new token".
 */
import type { Application, Receive, Scope, Send, User, WithUser } from '@wsgate/shared';
import { anonymousUser } from '../../src/auth/anonymous-user.js';
import { BaseMiddleware } from '../../src/middleware/base-middleware.js';

/** The subprotocol that marks the next offered subprotocol as a bearer token. */
export const bearerProtocol = 'wsgate.bearer';

/** Looks a token up; null for a token that is unknown, expired or revoked. */
export type FindUser<U extends User> = (token: string) => U | null | Promise<U | null>;

export interface BearerToken {
  readonly token: string;
  readonly via: 'subprotocol' | 'query';
}

/**
 * The connection's bearer token and where it came from, or null.
 *
 * @example
 * readBearerToken(scope); // { token: 'eyJhbGciOi...', via: 'subprotocol' }
 */
export function readBearerToken(scope: Scope): BearerToken | null {
  if (scope.type === 'websocket') {
    const marker = scope.subprotocols.indexOf(bearerProtocol);
    const token = marker === -1 ? undefined : scope.subprotocols[marker + 1];
    if (token !== undefined && token !== '') return { token, via: 'subprotocol' };
  }
  const token = new URLSearchParams(scope.queryString).get('token');
  return token === null || token === '' ? null : { token, via: 'query' };
}

/**
 * `send` with every `websocket.accept` carrying the marker protocol, unless the application
 * chose another offered protocol. An application that picked the token itself gets the marker
 * instead, so the token never appears in a response.
 */
function acceptWithMarker(send: Send, token: string): Send {
  return (event) => {
    if (event.type !== 'websocket.accept') return send(event);
    const chosen = event.subprotocol ?? null;
    if (chosen !== null && chosen !== token) return send(event);
    return send({ ...event, subprotocol: bearerProtocol });
  };
}

/**
 * Puts `scope.user` on the scope from a bearer token (see the file's comment for where the
 * token travels). Works for HTTP too, with `?token=`.
 *
 * @example
 * const app = new BearerTokenMiddleware(router, (token) => tokens.get(token) ?? null).asApp();
 * // browser: new WebSocket('wss://example.com/ws/', ['wsgate.bearer', token])
 */
export class BearerTokenMiddleware<S extends Scope, U extends User = User> extends BaseMiddleware<
  WithUser<U>,
  S
> {
  readonly #findUser: FindUser<U>;

  constructor(inner: Application<S & WithUser<U>>, findUser: FindUser<U>) {
    super(inner);
    this.#findUser = findUser;
  }

  protected async extendScope(scope: S): Promise<WithUser<U>> {
    const bearer = readBearerToken(scope);
    const user = bearer === null ? null : await this.#findUser(bearer.token);
    return { user: user === null ? anonymousUser : { ...user, isAuthenticated: true } };
  }

  protected override handle(scope: S, receive: Receive, send: Send): Promise<void> {
    const bearer = readBearerToken(scope);
    if (bearer?.via !== 'subprotocol') return super.handle(scope, receive, send);
    return super.handle(scope, receive, acceptWithMarker(send, bearer.token));
  }
}
