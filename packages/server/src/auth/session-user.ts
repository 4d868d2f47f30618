/**
 * The user a session belongs to, stored as Django does: the id under `_auth_user_id` (always a
 * string) and the user's `sessionAuthHash` under `_auth_user_hash`, so that changing the hash
 * (a password change) ends every session of that user.
 */
import { hash } from 'node:crypto';
import type { AuthenticatedUser, Scope, ScopeUser, Session, User } from '@wsgate/shared';
import { copyWith } from '../copy-with.js';
import { ServerErrorCode, WsgateError } from '../errors.js';
import { isPromiseLike } from '../promise-like.js';
import { SealedSession } from '../sessions/sealed-session.js';
import { anonymousUser } from './anonymous-user.js';
import type { LoadUser } from './user-loader.js';

export const sessionUserIdKey = '_auth_user_id';
export const sessionUserHashKey = '_auth_user_hash';

/** The scope's session, or a WsgateError saying which middleware `caller` needs. */
export function sessionOf(scope: Scope, caller: string): Session {
  const { session } = scope as { session?: Session };
  if (typeof session !== 'object' || session === null) {
    throw new WsgateError(
      ServerErrorCode.missingMiddleware,
      `${caller} needs a session in scope. Wrap the application in authMiddlewareStack, or in sessionMiddlewareStack.`,
    );
  }
  return session;
}

/**
 * Compares in constant time. Hashing first gives equal-length inputs and hides the stored
 * hash's length; the digests are then compared character by character without an early exit.
 * That loop, rather than `timingSafeEqual`, because the two Buffers it needs cost more than
 * both digests (it runs on every authenticated handshake).
 */
export function hashesMatch(stored: string, current: string): boolean {
  const expected = hash('sha256', stored, 'base64');
  const actual = hash('sha256', current, 'base64');
  let difference = 0;
  for (let index = 0; index < expected.length; index++) {
    difference |= expected.charCodeAt(index) ^ actual.charCodeAt(index);
  }
  return difference === 0;
}

const authenticated = { isAuthenticated: true } as const;

/** `scope.user` for a loaded user: a copy, so the application's object is never changed. */
export function authenticatedUser<U extends User>(user: U): AuthenticatedUser<U> {
  return copyWith(user, authenticated);
}

/**
 * The session's user, loaded with `loadUser` only when the session names one. A user whose
 * `sessionAuthHash` no longer matches the session's ends it: flushed, anonymous. Synchronous
 * when `loadUser` is (a table in memory, a cache): on every authenticated handshake, an await
 * would cost a tick, and each open socket a promise layer.
 */
export function userFromSession<U extends User>(
  session: Session,
  loadUser: LoadUser<U>,
): ScopeUser<U> | Promise<ScopeUser<U>> {
  const id = session.get(sessionUserIdKey);
  if (typeof id !== 'string') return anonymousUser;
  const loaded = loadUser(id);
  if (isPromiseLike(loaded)) {
    return Promise.resolve(loaded).then((user) => checkedUser(session, user));
  }
  return checkedUser(session, loaded);
}

/** `user` for the scope, unless it is gone or its `sessionAuthHash` changed since login. */
function checkedUser<U extends User>(session: Session, user: U | null | undefined): ScopeUser<U> {
  if (user === null || user === undefined) return anonymousUser;
  if (user.sessionAuthHash !== undefined) {
    const stored = session.get(sessionUserHashKey);
    if (typeof stored !== 'string' || !hashesMatch(stored, user.sessionAuthHash)) {
      session.flush();
      return anonymousUser;
    }
  }
  return authenticatedUser(user);
}

/** Revokes the session's id so that copies of its cookie stop opening (sessionMiddleware's only). */
export async function revokeSession(session: Session): Promise<void> {
  if (session instanceof SealedSession) await session.revoke();
}
