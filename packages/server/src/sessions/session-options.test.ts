import { describe, expect, it } from 'vitest';
import { WsgateError } from '../errors.js';
import { InMemoryRevocationStore } from './in-memory-revocation-store.js';
import { resolveSessionOptions } from './session-options.js';
import type { SessionOptions } from './session-options.js';

const password = 'p'.repeat(32);

describe('resolveSessionOptions', () => {
  it('fills in the documented defaults', () => {
    const settings = resolveSessionOptions({ password });
    expect(settings.cookieName).toBe('wsgate.session');
    expect(settings.ttl).toBe(1_209_600);
    expect(settings.cookie).toEqual({ path: '/', httpOnly: true, sameSite: 'lax' });
    expect(settings.revocationStore).toBeInstanceOf(InMemoryRevocationStore);
  });

  it('shares the default revocation store between middleware with the same passwords', () => {
    const { revocationStore } = resolveSessionOptions({ password });
    expect(resolveSessionOptions({ password: { 1: password } }).revocationStore).toBe(
      revocationStore,
    );
    expect(resolveSessionOptions({ password: 'q'.repeat(32) }).revocationStore).not.toBe(
      revocationStore,
    );
  });

  it('keeps the given cookie attributes and store', () => {
    const revocationStore = new InMemoryRevocationStore();
    const settings = resolveSessionOptions({
      password,
      cookieName: '__Host-sid',
      ttl: 3600,
      cookie: { secure: true, sameSite: 'strict', httpOnly: false },
      revocationStore,
    });
    expect(settings.cookie).toEqual({
      path: '/',
      httpOnly: false,
      sameSite: 'strict',
      secure: true,
    });
    expect(settings.revocationStore).toBe(revocationStore);
  });

  it('refuses bad options at construction, saying what to change', () => {
    const cases: Array<[Partial<SessionOptions>, RegExp]> = [
      [{ password: 'short' }, /at least 32 characters/],
      [{ ttl: 0 }, /ttl is a whole, positive number of seconds, not 0/],
      [{ ttl: 1.5 }, /ttl is a whole, positive number/],
      [{ cacheSize: -1 }, /cacheSize is a whole number of entries/],
      [{ cookieName: '' }, /cookieName must be a non-empty string/],
      [{ cookieName: 'has space' }, /RFC 6265 tokens/],
      [{ cookie: { sameSite: 'none' } }, /'none' needs secure: true/],
      [{ cookieName: '__Host-sid' }, /__Host- cookie needs secure: true/],
      [{ revocationStore: {} as never }, /revocationStore needs revoke/],
    ];
    for (const [options, message] of cases) {
      const resolve = () => resolveSessionOptions({ password, ...options });
      expect(resolve).toThrow(WsgateError);
      expect(resolve).toThrow(message);
    }
    expect(() => resolveSessionOptions(undefined as never)).toThrow(/options are required/);
  });
});
