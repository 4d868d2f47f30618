/** Channels' tests/security/test_auth.py (logout), ported, plus revocation. */
import type { Scope, WithSession } from '@wsgate/shared';
import { describe, expect, it } from 'vitest';
import { authScope, websocketScope } from '../../test/fixtures/users.js';
import { anonymousUser } from './anonymous-user.js';
import { getUser } from './get-user.js';
import { login } from './login.js';
import { logout } from './logout.js';
import { sessionUserIdKey } from './session-user.js';

describe('logout', () => {
  it('flushes and revokes the session, and the user is anonymous', async () => {
    const { scope, alice, revocationStore } = authScope();
    await login(scope, alice);
    const loggedIn = scope.session.id;
    await logout(scope);
    expect(await getUser(scope)).toBe(anonymousUser);
    expect(scope.user).toBe(anonymousUser);
    expect(scope.session.has(sessionUserIdKey)).toBe(false);
    expect(scope.session.id).not.toBe(loggedIn);
    expect(revocationStore.isRevoked(loggedIn)).toBe(true);
  });

  it('revokes nothing when nobody was logged in', async () => {
    const { scope, revocationStore } = authScope();
    scope.session.set('theme', 'dark');
    const anonymous = scope.session.id;
    await logout(scope);
    expect(revocationStore.size).toBe(0);
    expect(revocationStore.isRevoked(anonymous)).toBe(false);
    expect(scope.user).toBe(anonymousUser);
    expect(await getUser(scope)).toBe(anonymousUser);
  });

  it('needs a session in scope', async () => {
    await expect(logout(websocketScope() as unknown as Scope & WithSession)).rejects.toThrow(
      /logout needs a session/,
    );
  });
});
