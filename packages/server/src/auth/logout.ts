import type { Scope, ScopeUser, WithSession } from '@wsgate/shared';
import { anonymousUser } from './anonymous-user.js';
import { revokeSession, sessionOf, sessionUserIdKey } from './session-user.js';

/**
 * Logs the scope's user out (Channels' `logout`): revokes the session's id when it held a user,
 * so a copied cookie stops working everywhere the revocation store reaches, then flushes the
 * session and sets `scope.user` to `anonymousUser` on the scope object you pass.
 *
 * It does not save the session. Over HTTP the middleware deletes the cookie on the response
 * start; in a socket call `await scope.session.save()`, which tells the client.
 *
 * @example
 * await logout(this.scope);
 * await this.scope.session.save();
 */
export async function logout(scope: Scope & WithSession): Promise<void> {
  const session = sessionOf(scope, 'logout');
  // Only authenticated sessions are worth remembering: anonymous ones grant nothing, and
  // recording them would let anyone grow the store.
  if (session.has(sessionUserIdKey)) await revokeSession(session);
  session.flush();
  (scope as { user?: ScopeUser }).user = anonymousUser;
}
