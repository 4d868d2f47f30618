import { describe, expect, it } from 'vitest';
import { WsgateError } from '../errors.js';
import { compileHostPattern, compileOriginPattern, parseOrigin } from './origin-pattern.js';
import type { OriginPattern } from './origin-pattern.js';

function allows(pattern: OriginPattern, origin: string): boolean {
  const parsed = parseOrigin(origin);
  if (!parsed.ok) throw new Error(`test origin ${origin} does not parse: ${parsed.reason}`);
  return pattern.matches(parsed.origin);
}

describe('parseOrigin', () => {
  it.each<[string, { scheme: string; host: string; port: number }]>([
    ['https://app.example.com', { scheme: 'https', host: 'app.example.com', port: 443 }],
    ['http://app.example.com', { scheme: 'http', host: 'app.example.com', port: 80 }],
    ['https://app.example.com:8443', { scheme: 'https', host: 'app.example.com', port: 8443 }],
    ['https://app.example.com:443', { scheme: 'https', host: 'app.example.com', port: 443 }],
    ['HTTPS://APP.Example.COM', { scheme: 'https', host: 'app.example.com', port: 443 }],
    ['https://app.example.com.', { scheme: 'https', host: 'app.example.com', port: 443 }],
    ['https://bücher.de', { scheme: 'https', host: 'xn--bcher-kva.de', port: 443 }],
    ['http://[::1]:3000', { scheme: 'http', host: '[::1]', port: 3000 }],
    ['http://[0:0:0:0:0:0:0:1]', { scheme: 'http', host: '[::1]', port: 80 }],
    ['http://127.0.0.1:8000', { scheme: 'http', host: '127.0.0.1', port: 8000 }],
  ])('parses %s', (value, expected) => {
    const result = parseOrigin(value);
    expect(result.ok && { ...result.origin, serialized: undefined }).toEqual({
      ...expected,
      serialized: undefined,
    });
  });

  it.each<[string, string, RegExp]>([
    ['empty', '', /empty Origin header/],
    ['null (sandboxed frame, file: page)', 'null', /opaque origin "null"/],
    ['a bare host', 'something-invalid', /expected scheme:\/\/host\[:port\]/],
    ['a path', 'https://a.com/path', /no path/],
    ['a trailing slash', 'https://a.com/', /no path/],
    ['a query', 'https://a.com?x=1', /no path/],
    ['a fragment', 'https://a.com#x', /no path/],
    ['userinfo', 'https://user:pass@a.com', /no path/],
    ['userinfo that hides the real host', 'https://a.com@evil.com', /no path/],
    ['a backslash', 'https://a.com\\evil.com', /no path/],
    ['whitespace', 'https://a .com', /no path/],
    ['a ws scheme', 'ws://a.com', /scheme ws: only http and https/],
    ['a file scheme', 'file://a.com', /scheme file: only http and https/],
    ['a chrome-extension scheme', 'chrome-extension://abcdef', /only http and https/],
    ['a port out of range', 'https://a.com:99999', /host or port is invalid/],
    ['a non-numeric port', 'https://a.com:http', /host or port is invalid/],
    ['a forbidden host code point', 'https://a<b.com', /host or port is invalid/],
    ['a lone dot host', 'https://.', /host is empty/],
    ['garbage', '\u0000\u0001%%%', /expected scheme/],
  ])('refuses %s', (_, value, reason) => {
    const result = parseOrigin(value);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });
});

describe('compileOriginPattern', () => {
  // [pattern, origin, allowed]: the table the README documents.
  it.each<[string, string, boolean]>([
    // a.com: host only, any scheme and port
    ['a.com', 'https://a.com', true],
    ['a.com', 'http://a.com:8080', true],
    ['a.com', 'https://www.a.com', false],
    ['a.com', 'https://a.com.evil.com', false],
    ['a.com', 'https://evila.com', false],
    ['A.COM', 'https://a.com', true],
    ['app.example.com', 'https://app.example.com.evil.com', false],
    ['app.example.com', 'https://evilapp.example.com', false],
    ['app.example.com', 'https://APP.EXAMPLE.COM', true],
    ['app.example.com', 'https://app.example.com.', true],
    // https://a.com: scheme and port must match, the default port implied
    ['https://app.example.com', 'https://app.example.com', true],
    ['https://app.example.com', 'https://app.example.com:443', true],
    ['https://app.example.com', 'http://app.example.com', false],
    ['https://app.example.com', 'https://app.example.com:8443', false],
    ['https://app.example.com', 'http://app.example.com:443', false],
    ['http://a.com', 'http://a.com:80', true],
    ['http://a.com', 'https://bad-domain.com:443', false],
    ['https://a.com:8443', 'https://a.com:8443', true],
    ['https://a.com:8443', 'https://a.com', false],
    ['https://a.com:443', 'https://a.com', true],
    ['HTTPS://A.com', 'https://a.com', true],
    // .a.com: a.com and its subdomains
    ['.example.com', 'https://example.com', true],
    ['.example.com', 'https://app.example.com', true],
    ['.example.com', 'https://a.b.example.com:1234', true],
    ['.example.com', 'https://evilapp.example.com', true],
    ['.example.com', 'https://evilexample.com', false],
    ['.example.com', 'https://app.example.com.evil.com', false],
    ['.example.com', 'https://example.com.evil.com', false],
    ['https://.example.com', 'https://app.example.com', true],
    ['https://.example.com', 'http://app.example.com', false],
    // *.a.com: subdomains only
    ['*.allowed-domain.com', 'http://allowed-domain.com', false],
    ['*.allowed-domain.com', 'http://www.allowed-domain.com', true],
    ['*.allowed-domain.com', 'http://a.b.allowed-domain.com', true],
    ['*.allowed-domain.com', 'http://evilallowed-domain.com', false],
    ['https://*.a.com:8443', 'https://x.a.com:8443', true],
    ['https://*.a.com:8443', 'https://x.a.com', false],
    // IDN, IP addresses
    ['bücher.de', 'https://xn--bcher-kva.de', true],
    ['xn--bcher-kva.de', 'https://bücher.de', true],
    ['[::1]', 'http://[::1]:3000', true],
    ['http://[::1]:3000', 'http://[::1]:3000', true],
    ['http://[::1]:3000', 'http://[::1]:3001', false],
    ['127.0.0.1', 'http://127.0.0.1:5173', true],
    ['127.0.0.1', 'http://127.0.0.2', false],
    // *: anything
    ['*', 'https://anything.example', true],
  ])('%s against %s: %s', (pattern, origin, expected) => {
    expect(allows(compileOriginPattern(pattern), origin)).toBe(expected);
  });

  it('marks * as letting anything through, and nothing else', () => {
    expect(compileOriginPattern('*').any).toBe(true);
    expect(compileOriginPattern('a.com').any).toBe(false);
  });

  it.each<[string, RegExp]>([
    ['', /write a host/],
    ['https://a.com/', /no trailing slash/],
    ['https://a.com/path', /no path/],
    [' a.com', /no spaces/],
    ['a.com:8080', /a port needs a scheme, e.g. https:\/\/a.com:8080/],
    ['ws://a.com', /the scheme is http or https/],
    ['https://a.com:0', /the port is 1 to 65535/],
    ['https://a.com:70000', /the port is 1 to 65535/],
    ['a.*.com', /'\*' may only be the whole pattern or a leading '\*.'/],
    ['**.a.com', /'\*' may only be/],
    ['*a.com', /'\*' may only be/],
    ['.127.0.0.1', /needs a domain name, not an IP address/],
    ['*.[::1]', /needs a domain name, not an IP address/],
    ['a<b.com', /is not a valid host name/],
    ['user@a.com', /write a host/],
  ])('refuses %j with INVALID_OPTION', (pattern, message) => {
    expect(() => compileOriginPattern(pattern)).toThrow(WsgateError);
    expect(() => compileOriginPattern(pattern)).toThrow(message);
  });
});

describe('compileHostPattern (Django ALLOWED_HOSTS)', () => {
  it.each<[string, string, boolean]>([
    ['example.com', 'https://example.com', true],
    ['example.com', 'http://example.com:8000', true],
    ['example.com', 'https://www.example.com', false],
    ['.example.com', 'https://example.com', true],
    ['.example.com', 'https://www.example.com:8443', true],
    ['.example.com', 'https://example.com.evil.com', false],
    ['localhost', 'http://localhost:5173', true],
    ['[::1]', 'http://[::1]:3000', true],
    ['*', 'https://anything.example', true],
  ])('%s against %s: %s', (host, origin, expected) => {
    expect(allows(compileHostPattern(host), origin)).toBe(expected);
  });

  it.each(['https://example.com', 'example.com:8000', '*.example.com', 'example.com/', ''])(
    'refuses %j, which is not ALLOWED_HOSTS syntax',
    (host) => {
      expect(() => compileHostPattern(host)).toThrow(
        /ALLOWED_HOSTS entries are a.com, .a.com or '\*'/,
      );
    },
  );
});
