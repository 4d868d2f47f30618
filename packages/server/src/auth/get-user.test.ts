import { describe, expect, it } from 'vitest';
import { authScope, scopeWithSession } from '../../test/fixtures/users.js';
import { anonymousUser } from './anonymous-user.js';
import { getUser } from './get-user.js';
import { login } from './login.js';
import { sessionUserIdKey } from './session-user.js';

describe('getUser', () => {
  it('loads the user only when the session names one', async () => {
    const { scope, loaded, alice } = authScope();
    await getUser(scope);
    expect(loaded).toEqual([]);
    await login(scope, alice);
    await getUser(scope);
    expect(loaded).toEqual(['1']);
  });

  it('is anonymous once the user is deleted, without flushing', async () => {
    const { scope, alice, users } = authScope();
    await login(scope, alice);
    users.delete('1');
    expect(await getUser(scope)).toBe(anonymousUser);
    expect(scope.session.has(sessionUserIdKey)).toBe(true);
  });

  it('flushes and is anonymous when the sessionAuthHash changed (password change)', async () => {
    const { scope, alice } = authScope();
    await login(scope, alice);
    alice.sessionAuthHash = 'alice-v2';
    expect(await getUser(scope)).toBe(anonymousUser);
    expect(scope.session.isEmpty).toBe(true);
  });

  it('flushes and is anonymous when the session was revoked elsewhere', async () => {
    const { scope, alice, revocationStore } = authScope();
    await login(scope, alice);
    revocationStore.revoke(scope.session.id, 60);
    expect(await getUser(scope)).toBe(anonymousUser);
    expect(scope.session.isEmpty).toBe(true);
  });

  it('needs the loadUser that authMiddleware keeps on the scope', async () => {
    await expect(getUser(scopeWithSession())).rejects.toThrow(
      /getUser needs the loadUser of authMiddleware/,
    );
  });
});
