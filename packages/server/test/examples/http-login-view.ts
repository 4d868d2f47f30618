/**
 * An example of logging in over plain HTTP with the same stack the sockets use: a login view
 * and a logout view behind `authMiddlewareStack`. The view only calls `login(scope, user)`;
 * the session middleware turns the changed session into a Set-Cookie on the response start,
 * and every WebSocket the browser opens afterwards carries that cookie.
 *
 *     POST /login   {"username": "alice", "password": "..."}   (JSON or form-urlencoded)
 *                   200 {"ok": true, "user": {"id": "1"}} + Set-Cookie
 *                   401 bad credentials, 400 malformed body, 413 too big, 415 other types
 *     POST /logout  204, the cookie deleted and the session revoked
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type {
  Application,
  Header,
  HttpScope,
  Receive,
  Send,
  User,
  WithSession,
  WithUser,
} from '@wsgate/shared';
import { login } from '../../src/auth/login.js';
import { logout } from '../../src/auth/logout.js';

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/** Checks credentials: the user, or null when they are wrong. */
export type Authenticate<U extends User> = (
  credentials: Credentials,
) => U | null | Promise<U | null>;

/** Login forms are small; anything bigger is refused before it is parsed. */
const maxBodyBytes = 16 * 1024;

type ViewScope = HttpScope & WithSession & WithUser;

class BadRequest extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function respond(send: Send, status: number, body?: unknown, headers: Header[] = []) {
  const json = body === undefined ? undefined : JSON.stringify(body);
  await send({
    type: 'http.response.start',
    status,
    headers: json === undefined ? headers : [...headers, ['content-type', 'application/json']],
  });
  await send({
    type: 'http.response.body',
    ...(json === undefined ? {} : { body: new TextEncoder().encode(json) }),
  });
}

/** The whole request body, refused past `maxBodyBytes` or when the client goes away. */
async function readBody(receive: Receive): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const event = await receive();
    if (event.type === 'http.disconnect') throw new BadRequest(400, 'the client went away');
    if (event.type !== 'http.request') continue;
    size += event.body.byteLength;
    if (size > maxBodyBytes) throw new BadRequest(413, `the body is over ${maxBodyBytes} bytes`);
    chunks.push(event.body);
    if (!event.moreBody) return Buffer.concat(chunks).toString('utf8');
  }
}

function header(scope: HttpScope, name: string): string {
  return scope.headers.find(([key]) => key === name)?.[1] ?? '';
}

/** `{ username, password }` from a JSON or form-urlencoded body. */
export function parseCredentials(contentType: string, body: string): Credentials {
  const type = contentType.split(';')[0]?.trim().toLowerCase();
  let fields: unknown;
  if (type === 'application/json') {
    try {
      fields = JSON.parse(body);
    } catch {
      throw new BadRequest(400, 'the body is not valid JSON');
    }
  } else if (type === 'application/x-www-form-urlencoded') {
    fields = Object.fromEntries(new URLSearchParams(body));
  } else {
    throw new BadRequest(415, 'send application/json or application/x-www-form-urlencoded');
  }
  const { username, password } = (typeof fields === 'object' && fields !== null ? fields : {}) as {
    username?: unknown;
    password?: unknown;
  };
  if (typeof username !== 'string' || typeof password !== 'string' || username === '') {
    throw new BadRequest(400, 'username and password are required strings');
  }
  return { username, password };
}

/**
 * The login and logout views; route them under `authMiddlewareStack`.
 *
 * @example
 * const http = authMiddlewareStack(
 *   urlRouter([route('/login', views.login), route('/logout', views.logout)]),
 *   { session: { password }, loadUser },
 * );
 */
export function httpAuthViews<U extends User>(
  authenticate: Authenticate<U>,
): { login: Application<ViewScope>; logout: Application<ViewScope> } {
  return {
    async login(scope, receive, send) {
      if (scope.method !== 'POST') {
        return respond(send, 405, { ok: false, error: 'use POST' }, [['allow', 'POST']]);
      }
      let credentials: Credentials;
      try {
        credentials = parseCredentials(header(scope, 'content-type'), await readBody(receive));
      } catch (error) {
        if (!(error instanceof BadRequest)) throw error;
        return respond(send, error.status, { ok: false, error: error.message });
      }
      const user = await authenticate(credentials);
      if (user === null) return respond(send, 401, { ok: false, error: 'bad credentials' });
      await login(scope, user);
      return respond(send, 200, { ok: true, user: { id: String(user.id) } });
    },

    async logout(scope, receive, send) {
      if (scope.method !== 'POST') {
        return respond(send, 405, { ok: false, error: 'use POST' }, [['allow', 'POST']]);
      }
      await logout(scope);
      return respond(send, 204);
    },
  };
}

/** Compares passwords in constant time (hashing first makes the lengths equal). */
export function passwordsMatch(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
