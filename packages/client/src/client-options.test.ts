import { afterEach, describe, expect, it, vi } from 'vitest';
import { resolveOptions } from './client-options.js';

afterEach(() => vi.unstubAllGlobals());

describe('resolveOptions', () => {
  it('fills in the documented defaults', () => {
    const options = resolveOptions({ url: 'wss://app.example/ws/' });
    expect(options).toMatchObject({
      url: 'wss://app.example/ws/',
      sessionEndpoint: 'https://app.example/wsgate/session',
      reconnect: true,
      baseMs: 500,
      capMs: 30_000,
      stableAfterMs: 5_000,
      heartbeatMs: 25_000,
      heartbeatTimeoutMs: 10_000,
      requestTimeoutMs: 10_000,
      queueLimit: 100,
      refreshAt: 0.8,
      headers: {},
      cookie: '',
      crossTab: false,
    });
    expect(options.random).toBe(Math.random);
    expect(typeof options.WebSocket).toBe('function');
  });

  it('maps http(s) to ws(s) and derives the session endpoint from the url', () => {
    expect(resolveOptions({ url: 'http://127.0.0.1:8000/ws/' })).toMatchObject({
      url: 'ws://127.0.0.1:8000/ws/',
      sessionEndpoint: 'http://127.0.0.1:8000/wsgate/session',
    });
    expect(resolveOptions({ url: new URL('https://a.example/x') }).url).toBe('wss://a.example/x');
  });

  it('resolves a relative url and endpoint against the page in a browser', () => {
    vi.stubGlobal('location', { href: 'https://app.example/chat/' });
    expect(resolveOptions({ url: '/ws/', sessionEndpoint: '/auth/session' })).toMatchObject({
      url: 'wss://app.example/ws/',
      sessionEndpoint: 'https://app.example/auth/session',
    });
  });

  it('turns reconnect: false and sessionEndpoint: false into switches', () => {
    expect(
      resolveOptions({ url: 'ws://a/', reconnect: false, sessionEndpoint: false }),
    ).toMatchObject({
      reconnect: false,
      sessionEndpoint: undefined,
    });
  });

  it('lower-cases header names and takes the cookie out for the jar', () => {
    expect(
      resolveOptions({ url: 'ws://a/', headers: { Origin: 'http://a', Cookie: 'x=1' } }),
    ).toMatchObject({
      headers: { origin: 'http://a' },
      cookie: 'x=1',
    });
  });

  it.each([
    [{ url: '/ws/' }, /is not a URL/],
    [{ url: 'ftp://a/' }, /must use ws:, wss:, http: or https:/],
    [{ url: 'ws://a/', reconnect: { baseMs: -1 } }, /reconnect\.baseMs must be a finite number/],
    [{ url: 'ws://a/', heartbeatMs: Number.NaN }, /heartbeatMs must be/],
    [{ url: 'ws://a/', queueLimit: 1.5 }, /queueLimit must be an integer/],
    [{ url: 'ws://a/', refreshAt: 1 }, /refreshAt must be a fraction/],
    [{ url: 'ws://a/', headers: { origin: 5 } }, /headers\.origin must be a string/],
    [{ url: 'ws://a/', reconnect: { random: 0.5 } }, /reconnect\.random must be a function/],
    [{}, /createClient needs \{ url \}/],
  ])('refuses %j with a message that says how to fix it', (options, message) => {
    expect(() => resolveOptions(options as never)).toThrow(message);
    expect(() => resolveOptions(options as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION' }) as Error,
    );
  });
});
