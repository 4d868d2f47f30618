/**
 * The Socket.IO side of the authenticated rows: Socket.IO 4.8 with the auth a Socket.IO user
 * would write to accept the sessions the wsgate auth server's login view sets. The Origin is
 * checked in `allowRequest` (before the upgrade, as originValidator does); then an `io.use`
 * middleware reads the Cookie header with `cookie`, opens the session with iron-session's
 * `unsealData` (same password and cookie name), loads the user from the same table and checks
 * the session's sessionAuthHash against the user's in constant time, as wsgate does. Any
 * failure rejects the connection with an Error, which the client gets as `connect_error`.
 *
 * No unseal cache: every handshake unseals, so this is the counterpart of wsgate's "no cache"
 * column. A `whoami` event is answered with the user's id, as the wsgate server's consumer
 * answers any message, so the load can check whom the server authenticated.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { parse } from 'cookie';
import { unsealData } from 'iron-session';
import { authFixture } from '../auth-fixture.js';
import { benchUsers } from './bench-users.js';
import type { BenchUser } from './bench-users.js';
import { runServerEntry } from './server-entry.js';
import { serveSocketIo } from './serve-socket-io.js';

/**
 * What wsgate's sessionMiddleware seals (`{v, id, exp, data}`, see its seal-session.ts) with
 * what its login() stores in `data`, Django's keys. Untrusted until checked: a seal opens to
 * whatever was sealed, and iron-session opens a bad or expired one to `{}`.
 */
interface SealedSession {
  readonly exp?: unknown;
  readonly data?: { readonly _auth_user_id?: unknown; readonly _auth_user_hash?: unknown };
}

const users = benchUsers();

/** Hashing first gives timingSafeEqual the equal lengths it needs and hides the stored one's. */
function hashesMatch(stored: string, current: string): boolean {
  const digest = (value: string): Buffer => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(stored), digest(current));
}

/** The user the request's session cookie belongs to, or undefined. */
async function userFromCookie(header: string | undefined): Promise<BenchUser | undefined> {
  const seal = header === undefined ? undefined : parse(header)[authFixture.cookieName];
  if (seal === undefined) return undefined;
  const session = await unsealData<SealedSession>(seal, {
    password: authFixture.sessionPassword,
  });
  if (typeof session.exp !== 'number' || session.exp <= Date.now()) return undefined;
  const id = session.data?._auth_user_id;
  const hash = session.data?._auth_user_hash;
  const user = typeof id === 'string' ? users.get(id) : undefined;
  if (user === undefined || typeof hash !== 'string') return undefined;
  return hashesMatch(hash, user.sessionAuthHash) ? user : undefined;
}

await runServerEntry(() =>
  serveSocketIo<{ user: BenchUser }>(
    {
      allowRequest: (request, callback) =>
        callback(null, request.headers.origin === authFixture.origin),
    },
    (io) => {
      io.use((socket, next) => {
        userFromCookie(socket.handshake.headers.cookie).then(
          (user) => {
            if (user === undefined) {
              next(new Error('not authenticated'));
              return;
            }
            socket.data.user = user;
            next();
          },
          // A seal iron-session cannot even parse: not a session, and not worth a crash.
          () => next(new Error('not authenticated')),
        );
      });
      io.on('connection', (socket) => {
        socket.on('whoami', () => {
          socket.emit('whoami', { user: socket.data.user.id });
        });
      });
    },
  ),
);
