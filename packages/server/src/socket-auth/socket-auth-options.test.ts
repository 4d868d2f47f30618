import { describe, expect, it } from 'vitest';
import { LoginThrottle } from '../limits/login-throttle.js';
import { Semaphore } from '../limits/semaphore.js';
import {
  defaultAccountKey,
  expiringNoticeFor,
  resolveSocketAuthOptions,
} from './socket-auth-options.js';

const authenticate = () => null;

describe('resolveSocketAuthOptions', () => {
  it('fills in the defaults', () => {
    const settings = resolveSocketAuthOptions({ authenticate });
    expect(settings).toMatchObject({
      onExpiry: 'anonymous',
      onRevoked: 'anonymous',
      reverifyIntervalMs: 300_000,
      expiringNoticeMs: undefined,
      ticketTtlSeconds: 60,
      maxInvalidFrames: 10,
      invalidFrameWindowMs: 60_000,
    });
    expect(settings.loginThrottle).toBeInstanceOf(LoginThrottle);
    expect(settings.authenticateLimit).toBeInstanceOf(Semaphore);
    expect(settings.serializeUser({ id: 7, isAuthenticated: true, secret: 'x' } as never)).toEqual({
      id: 7,
    });
  });

  it('turns throttling off with false', () => {
    expect(
      resolveSocketAuthOptions({ authenticate, loginThrottle: false }).loginThrottle,
    ).toBeNull();
  });

  it.each([
    [{}, /authenticate/],
    [{ authenticate, serializeUser: 'id' }, /serializeUser must be a function/],
    [{ authenticate, onExpiry: 'logout' }, /onExpiry is 'anonymous' or 'close'/],
    [{ authenticate, onRevoked: 'close ' }, /onRevoked/],
    [{ authenticate, ticketTtlSeconds: 120 }, /ticketTtlSeconds is a whole number 1 to 60/],
    [{ authenticate, ticketTtlSeconds: 0 }, /ticketTtlSeconds/],
    [{ authenticate, reverifyIntervalMs: -1 }, /reverifyIntervalMs/],
    [{ authenticate, reverifyIntervalMs: 1.5 }, /reverifyIntervalMs/],
    [{ authenticate, maxInvalidFrames: 0 }, /maxInvalidFrames/],
    [{ authenticate, loginThrottle: {} }, /loginThrottle must be a LoginThrottle/],
    [{ authenticate, authenticateLimit: 2 }, /authenticateLimit must be a Semaphore/],
  ])('refuses %j, naming the option', (options, message) => {
    expect(() => resolveSocketAuthOptions(options as never)).toThrow(message);
  });
});

describe('defaultAccountKey', () => {
  it.each([
    [{ username: ' Alice ', password: 'x' }, 'alice'],
    [{ email: 'Bob@Example.com' }, 'bob@example.com'],
    [{ username: 5, email: 'c@d.e' }, 'c@d.e'],
    [{ username: '  ' }, null],
    [{ password: 'x' }, null],
    ['alice', null],
    [null, null],
  ])('reads %j as %j', (credentials, key) => {
    expect(defaultAccountKey(credentials)).toBe(key);
  });
});

describe('expiringNoticeFor', () => {
  it('defaults to a minute, or a tenth of a short TTL', () => {
    expect(expiringNoticeFor(undefined, 1_209_600)).toBe(60_000);
    expect(expiringNoticeFor(undefined, 120)).toBe(12_000);
    expect(expiringNoticeFor(5_000, 120)).toBe(5_000);
  });
});
