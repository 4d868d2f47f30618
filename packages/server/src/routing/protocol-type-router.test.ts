// Ported from Channels' tests/test_routing.py (test_protocol_type_router), plus validation.
import type { Application, HttpScope, Scope, WebSocketScope } from '@wsgate/shared';
import { describe, expect, it } from 'vitest';
import { WsgateError } from '../errors.js';
import { protocolTypeRouter } from './protocol-type-router.js';

const receive = () => Promise.reject(new Error('not used'));
const send = () => Promise.resolve();

function scopeOf(type: Scope['type']): Scope {
  const base = {
    path: '/',
    rawPath: '/',
    queryString: '',
    headers: [],
    client: null,
    server: null,
  };
  return type === 'http'
    ? { ...base, type, scheme: 'http', method: 'GET', httpVersion: '1.1' }
    : { ...base, type, scheme: 'ws', subprotocols: [] };
}

describe('protocolTypeRouter', () => {
  it('dispatches on scope.type, passing the same scope, receive and send', async () => {
    const calls: Array<[string, Scope]> = [];
    const router = protocolTypeRouter({
      http: (scope: HttpScope) => Promise.resolve(void calls.push(['http', scope])),
      websocket: (scope: WebSocketScope) => Promise.resolve(void calls.push(['websocket', scope])),
    });
    const ws = scopeOf('websocket');
    const http = scopeOf('http');
    await router(ws, receive, send);
    await router(http, receive, send);
    expect(calls).toEqual([
      ['websocket', ws],
      ['http', http],
    ]);
    expect(calls[0]?.[1]).toBe(ws);
  });

  it('throws for a scope type with no application, naming it and the configured ones', async () => {
    const router = protocolTypeRouter({ http: () => Promise.resolve() });
    const failure = router(scopeOf('websocket'), receive, send);
    await expect(failure).rejects.toThrow(WsgateError);
    await expect(failure).rejects.toMatchObject({ code: 'UNKNOWN_SCOPE_TYPE' });
    await expect(failure).rejects.toThrow(
      'protocolTypeRouter has no application for scope type "websocket" (configured: http). Add one: protocolTypeRouter({ websocket: app, ... }).',
    );
  });

  it('throws for a scope type wsgate does not know (Channels: "aprs")', async () => {
    const router = protocolTypeRouter({
      http: () => Promise.resolve(),
      websocket: () => Promise.resolve(),
    });
    const aprs = { ...scopeOf('http'), type: 'aprs' } as unknown as Scope;
    await expect(router(aprs, receive, send)).rejects.toThrow(
      /no application for scope type "aprs" \(configured: http, websocket\)\.$/,
    );
  });

  it('lets an application error through unchanged', async () => {
    const router = protocolTypeRouter({ http: () => Promise.reject(new Error('boom')) });
    await expect(router(scopeOf('http'), receive, send)).rejects.toThrow('boom');
  });

  it.each([
    [{}, /needs an application for http, websocket, or both/],
    [{ http: undefined }, /needs an application for http, websocket, or both/],
    [
      { ws: () => Promise.resolve() },
      /unknown scope type 'ws'; the scope types are http and websocket/,
    ],
    [{ http: 'app' }, /'http' must be an application function, got string/],
    [null, /needs an object such as/],
  ])('refuses %o when it is built', (apps, message) => {
    expect(() => protocolTypeRouter(apps as never)).toThrow(message);
  });

  it('accepts an application that is left out on purpose', async () => {
    const called: string[] = [];
    const http: Application<HttpScope> = () => Promise.resolve(void called.push('http'));
    const router = protocolTypeRouter({ http, websocket: undefined });
    await router(scopeOf('http'), receive, send);
    expect(called).toEqual(['http']);
  });
});
