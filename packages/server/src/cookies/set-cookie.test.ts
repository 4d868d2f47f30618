import { describe, expect, it } from 'vitest';
import type { Header } from '@wsgate/shared';
import { WsgateError } from '../errors.js';
import { readCookies } from './cookie-middleware.js';
import { deleteCookie, setCookie } from './set-cookie.js';
import type { CookieAttributes } from './set-cookie.js';

const contentType: Header = ['content-type', 'text/plain'];

describe('setCookie', () => {
  it('returns the headers plus one set-cookie header, leaving the given array alone', () => {
    const headers: readonly Header[] = Object.freeze([contentType]);
    const result = setCookie(headers, 'theme', 'dark');
    expect(result).toEqual([contentType, ['set-cookie', 'theme=dark; Path=/']]);
    expect(headers).toEqual([contentType]);
  });

  it('chains, one header per cookie', () => {
    const headers = setCookie(setCookie([], 'a', '1'), 'b', '2');
    expect(headers.map(([name]) => name)).toEqual(['set-cookie', 'set-cookie']);
  });

  it.each<[string, CookieAttributes, string]>([
    ['path defaults to /', {}, 'n=v; Path=/'],
    ['explicit path', { path: '/app' }, 'n=v; Path=/app'],
    ['maxAge', { maxAge: 3600 }, 'n=v; Max-Age=3600; Path=/'],
    [
      'expires',
      { expires: new Date(Date.UTC(2030, 0, 1)) },
      'n=v; Path=/; Expires=Tue, 01 Jan 2030 00:00:00 GMT',
    ],
    ['domain', { domain: 'example.com' }, 'n=v; Domain=example.com; Path=/'],
    ['httpOnly and secure', { httpOnly: true, secure: true }, 'n=v; Path=/; HttpOnly; Secure'],
    ['sameSite lax', { sameSite: 'lax' }, 'n=v; Path=/; SameSite=Lax'],
    ['sameSite in any case', { sameSite: 'Strict' }, 'n=v; Path=/; SameSite=Strict'],
    [
      'sameSite none with secure',
      { sameSite: 'none', secure: true },
      'n=v; Path=/; Secure; SameSite=None',
    ],
    [
      'partitioned with secure',
      { partitioned: true, secure: true },
      'n=v; Path=/; Secure; Partitioned',
    ],
  ])('%s', (_, attributes, expected) => {
    expect(setCookie([], 'n', 'v', attributes)).toEqual([['set-cookie', expected]]);
  });

  it('percent-encodes the value, and cookieMiddleware reads it back', () => {
    const [header] = setCookie([], 'msg', 'a b;c=d,é');
    expect(header?.[1]).toBe('msg=a%20b%3Bc%3Dd%2C%C3%A9; Path=/');
    const pair = header?.[1].split(';')[0] ?? '';
    expect(readCookies([['cookie', pair]]).msg).toBe('a b;c=d,é');
  });

  it.each<[string, string, CookieAttributes, RegExp]>([
    [
      "sameSite: 'none' without secure",
      'n',
      { sameSite: 'none' },
      /sameSite: 'none' needs secure: true/,
    ],
    [
      'an unknown sameSite',
      'n',
      { sameSite: 'sometimes' as 'lax' },
      /sameSite must be 'strict', 'lax' or 'none'/,
    ],
    ['partitioned without secure', 'n', { partitioned: true }, /partitioned needs secure: true/],
    ['a fractional maxAge', 'n', { maxAge: 1.5 }, /maxAge is a whole number/],
    ['a NaN maxAge', 'n', { maxAge: Number.NaN }, /maxAge is a whole number/],
    ['an invalid Date', 'n', { expires: new Date('nope') }, /expires must be a valid Date/],
    ['a __Secure- name without secure', '__Secure-id', {}, /__Secure- cookie needs secure/],
    [
      'a __Host- name with a domain',
      '__Host-id',
      { secure: true, domain: 'a.com' },
      /__Host- cookie needs/,
    ],
    [
      'a __Host- name with a path',
      '__Host-id',
      { secure: true, path: '/app' },
      /__Host- cookie needs/,
    ],
    ['a name with a space', 'my cookie', {}, /names are RFC 6265 tokens/],
    ['a name with =', 'a=b', {}, /names are RFC 6265 tokens/],
    ['an empty name', '', {}, /names are RFC 6265 tokens/],
    ['a path with ;', 'n', { path: '/a;b' }, /option path is invalid/],
    ['a domain with a space', 'n', { domain: 'a b.com' }, /option domain is invalid/],
  ])('refuses %s with INVALID_OPTION saying what to change', (_, name, attributes, message) => {
    const attempt = (): unknown => setCookie([], name, 'v', attributes);
    expect(attempt).toThrow(WsgateError);
    expect(attempt).toThrow(message);
    try {
      attempt();
    } catch (error) {
      expect((error as WsgateError).code).toBe('INVALID_OPTION');
    }
  });

  it('accepts __Host- and __Secure- names that keep their promise', () => {
    expect(setCookie([], '__Host-id', 'v', { secure: true })[0]?.[1]).toBe(
      '__Host-id=v; Path=/; Secure',
    );
    expect(setCookie([], '__Secure-id', 'v', { secure: true, domain: 'a.com' })).toHaveLength(1);
  });
});

describe('deleteCookie', () => {
  it('sets an empty value that expires now, with the path and domain it was set with', () => {
    expect(
      deleteCookie([contentType], 'sid', { path: '/app', domain: 'a.com', httpOnly: true }),
    ).toEqual([
      contentType,
      [
        'set-cookie',
        'sid=; Max-Age=0; Domain=a.com; Path=/app; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly',
      ],
    ]);
  });

  it('validates like setCookie', () => {
    expect(() => deleteCookie([], 'sid', { sameSite: 'none' })).toThrow(/needs secure: true/);
  });
});
