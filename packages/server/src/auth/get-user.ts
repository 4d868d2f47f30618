import type { Scope, ScopeUser, User, WithSession } from '@wsgate/shared';
import { ServerErrorCode, WsgateError } from '../errors.js';
import { SealedSession } from '../sessions/sealed-session.js';
import { anonymousUser } from './anonymous-user.js';
import { sessionOf, userFromSession } from './session-user.js';
import { userLoaderOf } from './user-loader.js';

/**
 * The session's user, read again now (Channels' `get_user`): the id from the session, the user
 * from `loadUser`, the `sessionAuthHash` checked again. A revoked session (logged out
 * elsewhere) or a changed hash flushes the session and gives `anonymousUser`; a user that no
 * longer exists gives `anonymousUser`. Long-lived sockets call it now and then. It does not
 * change `scope.user`.
 *
 * @example
 * const user = await getUser<AppUser>(this.scope);
 * if (!user.isAuthenticated) await this.close(4401);
 */
export async function getUser<U extends User = User>(
  scope: Scope & WithSession,
): Promise<ScopeUser<U>> {
  const session = sessionOf(scope, 'getUser');
  const loadUser = userLoaderOf(scope);
  if (loadUser === undefined) {
    throw new WsgateError(
      ServerErrorCode.missingMiddleware,
      'getUser needs the loadUser of authMiddleware: wrap the application in authMiddleware or authMiddlewareStack.',
    );
  }
  if (session instanceof SealedSession && (await session.isRevoked())) {
    session.flush();
    return anonymousUser;
  }
  return userFromSession(session, loadUser);
}
