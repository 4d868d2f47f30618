/** Channels' tests/security/test_auth.py (login), ported, plus wsgate's fixation and revocation rules. */
import type { Scope, WithSession, WithUser } from '@wsgate/shared';
import { describe, expect, it } from 'vitest';
import { authScope, websocketScope } from '../../test/fixtures/users.js';
import { WsgateError } from '../errors.js';
import { onSessionSaved } from '../sessions/sealed-session.js';
import { anonymousUser } from './anonymous-user.js';
import { getUser } from './get-user.js';
import { login } from './login.js';
import { sessionUserHashKey, sessionUserIdKey } from './session-user.js';

type AuthScope = Scope & WithSession & Partial<WithUser>;

describe('login', () => {
  it('needs a session in scope', async () => {
    const { alice } = authScope();
    const error = await login(websocketScope() as AuthScope, alice).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WsgateError);
    expect(String(error)).toBe(
      'WsgateError: wsgate: login needs a session in scope. Wrap the application in authMiddlewareStack, or in sessionMiddlewareStack.',
    );
  });

  it('needs a user with an id', async () => {
    const { scope } = authScope();
    for (const user of [undefined, null, {}, { id: '' }, { id: Number.NaN }]) {
      await expect(login(scope, user as never)).rejects.toThrow(/needs the user to log in/);
    }
  });

  it('logs the user given in, on the scope passed', async () => {
    const { scope, alice } = authScope();
    expect(await getUser(scope)).toBe(anonymousUser);
    expect(scope.session.has(sessionUserIdKey)).toBe(false);
    await login(scope, alice);
    expect(scope.user).toEqual({ ...alice, isAuthenticated: true });
    expect(scope.user).not.toBe(alice);
    expect(alice).not.toHaveProperty('isAuthenticated');
    expect(scope.session.get(sessionUserIdKey)).toBe('1');
    expect(scope.session.get(sessionUserHashKey)).toBe('alice-v1');
    expect(await getUser(scope)).toEqual({ ...alice, isAuthenticated: true });
  });

  it('stores a numeric id as a string', async () => {
    const { scope } = authScope();
    await login(scope, { id: 7 });
    expect(scope.session.get(sessionUserIdKey)).toBe('7');
    expect(scope.session.has(sessionUserHashKey)).toBe(false);
  });

  it('changes the session id on every login, keeping anonymous data (fixation)', async () => {
    const { scope, alice } = authScope();
    scope.session.set('cart', ['book']);
    const planted = scope.session.id;
    await login(scope, alice);
    expect(scope.session.id).not.toBe(planted);
    expect(scope.session.get('cart')).toEqual(['book']);
    const first = scope.session.id;
    await login(scope, alice);
    expect(scope.session.id).not.toBe(first);
    expect(scope.session.get('cart')).toEqual(['book']);
  });

  it('flushes and revokes a session that held another user (change user)', async () => {
    const { scope, alice, bob, revocationStore } = authScope();
    await login(scope, alice);
    scope.session.set('alice-only', true);
    const aliceSession = scope.session.id;
    await login(scope, bob);
    expect(scope.session.id).not.toBe(aliceSession);
    expect(scope.session.has('alice-only')).toBe(false);
    expect(revocationStore.isRevoked(aliceSession)).toBe(true);
    expect(await getUser(scope)).toEqual({ ...bob, isAuthenticated: true });
  });

  it('flushes a session of the same user whose hash changed since', async () => {
    const { scope, alice } = authScope();
    await login(scope, alice);
    scope.session.set('before', true);
    alice.sessionAuthHash = 'alice-v2';
    await login(scope, alice);
    expect(scope.session.has('before')).toBe(false);
    expect(scope.session.get(sessionUserHashKey)).toBe('alice-v2');
  });

  it('does not save the session (the caller does, as in Channels)', async () => {
    const { scope, alice } = authScope();
    let saves = 0;
    onSessionSaved(scope.session, () => {
      saves += 1;
    });
    await login(scope, alice);
    expect(saves).toBe(0);
    expect(scope.session.isModified).toBe(true);
  });
});
