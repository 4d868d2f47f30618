import type { Scope, ScopeUser, User, WithSession } from '@wsgate/shared';
import { ServerErrorCode, WsgateError } from '../errors.js';
import {
  authenticatedUser,
  hashesMatch,
  revokeSession,
  sessionOf,
  sessionUserHashKey,
  sessionUserIdKey,
} from './session-user.js';

function hasUsableId(user: unknown): user is User {
  const id = (user as Partial<User> | null | undefined)?.id;
  return (typeof id === 'string' && id !== '') || (typeof id === 'number' && Number.isFinite(id));
}

/**
 * Logs `user` in on the scope's session (Channels' `login`): stores the user's id (as a string)
 * and `sessionAuthHash`, and sets `scope.user` on the scope object you pass, so pass your own
 * (`this.scope` in a consumer). Against session fixation the session id always changes: a
 * session that held another user is flushed (and its id revoked), any other keeps its data
 * under a new id.
 *
 * It does not save the session. Over HTTP the middleware sets the cookie on the response start;
 * in a socket call `await scope.session.save()`, which sends the client `session.updated`.
 *
 * @example
 * const user = await checkPassword(username, password);
 * if (user) {
 *   await login(this.scope, user);
 *   await this.scope.session.save();
 * }
 */
export async function login(scope: Scope & WithSession, user: User): Promise<void> {
  const session = sessionOf(scope, 'login');
  if (!hasUsableId(user)) {
    throw new WsgateError(
      ServerErrorCode.invalidOption,
      'login(scope, user) needs the user to log in, with an id (a non-empty string or a number): find and check the user first, then call login.',
    );
  }
  const id = String(user.id);
  const hash = user.sessionAuthHash;
  const storedId = session.get(sessionUserIdKey);
  const storedHash = session.get(sessionUserHashKey);
  const anotherUser =
    storedId !== undefined &&
    (storedId !== id ||
      (hash !== undefined && !(typeof storedHash === 'string' && hashesMatch(storedHash, hash))));
  if (anotherUser) {
    // Django deletes the old session here; a stateless seal has to be revoked instead.
    await revokeSession(session);
    session.flush();
  } else {
    session.cycleId();
  }
  session.set(sessionUserIdKey, id);
  if (hash === undefined) session.delete(sessionUserHashKey);
  else session.set(sessionUserHashKey, hash);
  (scope as { user?: ScopeUser }).user = authenticatedUser(user);
}
