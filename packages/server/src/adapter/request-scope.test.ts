import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { httpScope, parseSubprotocols, websocketScope } from './request-scope.js';

const handshake = [
  'Upgrade',
  'websocket',
  'Sec-WebSocket-Key',
  'dGhlIHNhbXBsZSBub25jZQ==',
  'Sec-WebSocket-Version',
  '13',
];

/** Just the parts of an IncomingMessage that scopes read. */
function fakeRequest(
  fields: { url?: string; method?: string; rawHeaders?: string[]; encrypted?: boolean } = {},
): IncomingMessage {
  const rawHeaders = fields.rawHeaders ?? [];
  const headers: Record<string, string> = {};
  for (let i = 0; i < rawHeaders.length; i += 2) {
    headers[(rawHeaders[i] as string).toLowerCase()] = rawHeaders[i + 1] as string;
  }
  return {
    url: fields.url ?? '/',
    method: fields.method ?? 'GET',
    httpVersion: '1.1',
    rawHeaders,
    headers,
    socket: {
      remoteAddress: '10.0.0.2',
      remotePort: 51000,
      localAddress: '10.0.0.1',
      localPort: 8000,
      encrypted: fields.encrypted,
    },
  } as unknown as IncomingMessage;
}

const plain = { trustProxy: false };

describe('httpScope', () => {
  it('splits and decodes the request target', () => {
    const result = httpScope(fakeRequest({ url: '/a%20b/%2F?q=%20x&y' }), plain);
    expect(result).toMatchObject({
      ok: true,
      scope: { path: '/a b//', rawPath: '/a%20b/%2F', queryString: 'q=%20x&y', method: 'GET' },
    });
  });

  it('takes the path from an absolute-form target', () => {
    const result = httpScope(fakeRequest({ url: 'http://example.com:8080/x?y=1' }), plain);
    expect(result).toMatchObject({ ok: true, scope: { path: '/x', queryString: 'y=1' } });
  });

  it('refuses a malformed percent-escape with 400', () => {
    expect(httpScope(fakeRequest({ url: '/bad%E0%A4' }), plain)).toMatchObject({
      ok: false,
      status: 400,
    });
  });

  it('keeps headers in order, lower-cased, repeats included', () => {
    const rawHeaders = ['Host', 'a', 'Cookie', 'x=1', 'X-Multi', '1', 'x-multi', '2'];
    const result = httpScope(fakeRequest({ rawHeaders }), plain);
    expect(result.ok && result.scope.headers).toEqual([
      ['host', 'a'],
      ['cookie', 'x=1'],
      ['x-multi', '1'],
      ['x-multi', '2'],
    ]);
  });

  it('reads scheme and addresses from the socket', () => {
    const result = httpScope(fakeRequest({ encrypted: true }), plain);
    expect(result).toMatchObject({
      ok: true,
      scope: { scheme: 'https', client: ['10.0.0.2', 51000], server: ['10.0.0.1', 8000] },
    });
  });

  it('believes the nearest proxy only when trustProxy is on', () => {
    const rawHeaders = [
      'X-Forwarded-For',
      'forged, 203.0.113.5',
      'X-Forwarded-For',
      '198.51.100.1',
      'X-Forwarded-Proto',
      'http, https',
    ];
    expect(httpScope(fakeRequest({ rawHeaders }), plain)).toMatchObject({
      scope: { scheme: 'http', client: ['10.0.0.2', 51000] },
    });
    expect(httpScope(fakeRequest({ rawHeaders }), { trustProxy: true })).toMatchObject({
      scope: { scheme: 'https', client: ['198.51.100.1', 0] },
    });
  });
});

describe('websocketScope', () => {
  it('describes a handshake with its subprotocols', () => {
    const rawHeaders = [...handshake, 'Sec-WebSocket-Protocol', 'chat.v2, chat.v1'];
    const result = websocketScope(fakeRequest({ url: '/ws/?t=1', rawHeaders }), plain);
    expect(result).toMatchObject({
      ok: true,
      scope: {
        type: 'websocket',
        scheme: 'ws',
        path: '/ws/',
        subprotocols: ['chat.v2', 'chat.v1'],
      },
    });
    expect(websocketScope(fakeRequest({ rawHeaders, encrypted: true }), plain)).toMatchObject({
      scope: { scheme: 'wss' },
    });
  });

  it.each([
    ['a POST', { method: 'POST', rawHeaders: handshake }, 405],
    ['no Upgrade header', { rawHeaders: handshake.slice(2) }, 400],
    ['a bad key', { rawHeaders: [...handshake.slice(0, 3), 'short', ...handshake.slice(4)] }, 400],
    ['an old version', { rawHeaders: [...handshake.slice(0, 5), '12'] }, 400],
    [
      'a bad subprotocol list',
      { rawHeaders: [...handshake, 'Sec-WebSocket-Protocol', 'a,,b'] },
      400,
    ],
    ['a malformed path', { url: '/%zz', rawHeaders: handshake }, 400],
  ])('refuses %s', (_what, fields, status) => {
    expect(websocketScope(fakeRequest(fields), plain)).toMatchObject({ ok: false, status });
  });
});

describe('parseSubprotocols', () => {
  it.each([
    [[], []],
    [['a'], ['a']],
    [
      ['a, b', 'c'],
      ['a', 'b', 'c'],
    ],
    [['a, a'], null],
    [['a b'], null],
    [[''], null],
  ])('%j -> %j', (values, expected) => {
    expect(parseSubprotocols(values)).toEqual(expected);
  });
});
