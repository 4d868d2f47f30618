import { describe, expect, it } from 'vitest';
import type { Header, HttpScope, Scope, WebSocketScope, WithCookies } from '@wsgate/shared';
import { route } from '../routing/route.js';
import { urlRouter } from '../routing/url-router.js';
import { WebsocketCommunicator } from '../testing/websocket-communicator.js';
import { cookieMiddleware, readCookies } from './cookie-middleware.js';

const base = {
  path: '/',
  rawPath: '/',
  queryString: '',
  scheme: 'http',
  client: ['127.0.0.1', 50000],
  server: ['127.0.0.1', 8000],
} as const;

function httpScope(headers: Header[]): HttpScope {
  return { ...base, type: 'http', method: 'GET', httpVersion: '1.1', headers };
}

function websocketScope(headers: Header[]): WebSocketScope {
  return { ...base, type: 'websocket', scheme: 'ws', subprotocols: [], headers };
}

/** Runs the middleware around an app that records the scope it was given. */
async function scopeSeenInside(scope: Scope): Promise<Scope & WithCookies> {
  let seen: (Scope & WithCookies) | undefined;
  const app = cookieMiddleware(async (inner) => {
    seen = inner;
    return Promise.resolve();
  });
  await app(
    scope,
    () => Promise.reject(new Error('not used')),
    () => Promise.resolve(),
  );
  if (seen === undefined) throw new Error('the inner app was not called');
  return seen;
}

describe('readCookies', () => {
  it.each<[string, string[], Record<string, string>]>([
    ['one pair', ['a=1'], { a: '1' }],
    ['several pairs, spaces trimmed', ['a=1;  b = 2 ;c=3'], { a: '1', b: '2', c: '3' }],
    ['several Cookie headers, joined', ['a=1', 'b=2; c=3'], { a: '1', b: '2', c: '3' }],
    ['percent-encoded values decoded', ['v=hello%20w%C3%B6rld'], { v: 'hello wörld' }],
    [
      'escapes that do not decode kept as sent',
      ['a=%E0%A4%A; b=%; c=%zz'],
      { a: '%E0%A4%A', b: '%', c: '%zz' },
    ],
    ['pairs without = skipped', ['junk; a=1; more junk; b=2'], { a: '1', b: '2' }],
    ['empty names skipped', ['=x; =; a=1'], { a: '1' }],
    ['empty values kept', ['a=; b=2'], { a: '', b: '2' }],
    ['= inside a value kept', ['token=abc==; b=x=y'], { token: 'abc==', b: 'x=y' }],
    ['unicode passed through', ['名前=値; emoji=🍪'], { 名前: '値', emoji: '🍪' }],
    ['only separators', [';;;; ; ;'], {}],
    ['garbage', ['\u0001\u0002=\u0003;;=;=;;a'], { '\u0001\u0002': '\u0003' }],
    ['no Cookie header', [], {}],
  ])('%s', (_, values, expected) => {
    const headers: Header[] = [['host', 'a.com'], ...values.map((v): Header => ['cookie', v])];
    expect({ ...readCookies(headers) }).toEqual(expected);
  });

  it('the first occurrence of a repeated name wins (browsers send the longest Path first, RFC 6265 §5.4)', () => {
    expect(readCookies([['cookie', 'sid=specific; sid=general']]).sid).toBe('specific');
    expect(
      readCookies([
        ['cookie', 'sid=from-first-header'],
        ['cookie', 'sid=later'],
      ]).sid,
    ).toBe('from-first-header');
  });

  it('a cookie named __proto__ or constructor is just a cookie, and pollutes nothing', () => {
    const cookies = readCookies([
      ['cookie', '__proto__=x; constructor=y; toString=z; hasOwnProperty=w'],
    ]);
    expect(Object.getPrototypeOf(cookies)).toBeNull();
    expect(Object.keys(cookies).sort()).toEqual([
      '__proto__',
      'constructor',
      'hasOwnProperty',
      'toString',
    ]);
    expect(cookies['__proto__']).toBe('x');
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect('toString' in readCookies([])).toBe(false);
  });

  it('is frozen, so an application cannot change what the next middleware reads', () => {
    const cookies = readCookies([['cookie', 'a=1']]) as Record<string, string>;
    expect(() => {
      cookies.a = '2';
    }).toThrow(TypeError);
  });

  it('reads a huge hostile header in linear time without throwing', () => {
    const segments = Array.from({ length: 30_000 }, (_, i) =>
      i % 3 === 0 ? `k${i}=v${i}` : ';;x%',
    );
    const cookies = readCookies([['cookie', segments.join(';')]]);
    expect(cookies.k0).toBe('v0');
    expect(Object.keys(cookies).length).toBeGreaterThan(9_000);
    expect(readCookies([['cookie', 'x'.repeat(1_000_000)]])).toEqual({});
  });
});

describe('cookieMiddleware', () => {
  it('puts the cookies on an http scope copy, leaving the given scope alone', async () => {
    const scope = httpScope([['cookie', 'theme=dark']]);
    const inner = await scopeSeenInside(scope);
    expect(inner.cookies).toEqual({ theme: 'dark' });
    expect(inner).not.toBe(scope);
    expect('cookies' in scope).toBe(false);
    expect(inner.type).toBe('http');
  });

  it('puts the cookies on a websocket scope', async () => {
    const inner = await scopeSeenInside(websocketScope([['cookie', 'sid=abc; theme=dark']]));
    expect(inner.cookies).toEqual({ sid: 'abc', theme: 'dark' });
    expect(inner.type).toBe('websocket');
  });

  it('gives an empty record when there is no Cookie header', async () => {
    const inner = await scopeSeenInside(websocketScope([]));
    expect(inner.cookies).toEqual({});
  });

  it('does not throw on a hostile Cookie header', async () => {
    const hostile = '%%%=%%%; \u0000=\uffff; __proto__=polluted; a=%E0%A4%A; ' + ';'.repeat(10_000);
    const inner = await scopeSeenInside(httpScope([['cookie', hostile]]));
    expect(inner.cookies['__proto__']).toBe('polluted');
    expect(inner.cookies.a).toBe('%E0%A4%A');
  });

  it('passes receive and send through unchanged', async () => {
    const receive = () => Promise.resolve({ type: 'websocket.connect' } as const);
    const send = () => Promise.resolve();
    let got: unknown[] = [];
    const app = cookieMiddleware(async (_scope, r, s) => {
      got = [r, s];
      return Promise.resolve();
    });
    await app(websocketScope([]), receive, send);
    expect(got).toEqual([receive, send]);
  });

  it('around a urlRouter stays one, so that an outer route still matches it as a prefix', async () => {
    const room = urlRouter([
      route('chat/:room/', async (scope, receive, send) => {
        await receive();
        const { cookies, urlRoute } = scope as typeof scope & WithCookies;
        await send({ type: 'websocket.accept' });
        await send({ type: 'websocket.send', text: `${urlRoute.kwargs.room}:${cookies.theme}` });
      }),
    ]);
    const app = urlRouter([route('/ws/', cookieMiddleware(room))]);
    const communicator = new WebsocketCommunicator(app, '/ws/chat/lobby/', {
      headers: [['cookie', 'theme=dark']],
    });
    expect((await communicator.connect())[0]).toBe(true);
    expect(await communicator.receiveFrom()).toBe('lobby:dark');
    await communicator.disconnect();
  });
});
