// Ported from Channels' tests/test_routing.py (test_url_router*, test_path_remaining), plus
// what wsgate adds: no-match answers, percent-escapes, slash rules and validation.
import type {
  Application,
  HttpScope,
  InboundEvent,
  OutboundEvent,
  Scope,
  WebSocketScope,
  WithUrlRoute,
} from '@wsgate/shared';
import { describe, expect, it, vi } from 'vitest';
import { BaseMiddleware } from '../middleware/base-middleware.js';
import type { Logger } from '../logger.js';
import { route } from './route.js';
import { urlRouter } from './url-router.js';

function httpScope(path: string, rawPath = path): HttpScope {
  const base = { path, rawPath, queryString: '', headers: [], client: null, server: null };
  return { ...base, type: 'http', scheme: 'http', method: 'GET', httpVersion: '1.1' };
}

function wsScope(path: string): WebSocketScope {
  const base = { path, rawPath: path, queryString: '', headers: [], client: null, server: null };
  return { ...base, type: 'websocket', scheme: 'ws', subprotocols: [] };
}

/** Runs `app` once with the given inbound events; resolves to what it sent. */
async function run(
  app: Application,
  scope: Scope,
  inbound: InboundEvent[] = [],
): Promise<OutboundEvent[]> {
  const sent: OutboundEvent[] = [];
  const receive = (): Promise<InboundEvent> => {
    const next = inbound.shift();
    if (next === undefined) throw new Error('the application read past the scripted events');
    return Promise.resolve(next);
  };
  await app(scope, receive, (event) => {
    sent.push(event);
    return Promise.resolve();
  });
  return sent;
}

/** An endpoint that records which name was called with which scope. */
function recorder() {
  const calls: Array<{ name: string; scope: Scope & WithUrlRoute }> = [];
  const app =
    (name: string): Application<Scope & WithUrlRoute> =>
    (scope) => {
      calls.push({ name, scope });
      return Promise.resolve();
    };
  const last = () => calls.at(-1);
  return { app, calls, last };
}

const silent: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

describe('urlRouter', () => {
  it('matches string patterns, RegExps and :params (test_url_router)', async () => {
    const { app, last } = recorder();
    const router = urlRouter([
      route('', app('root')),
      route('foo/', app('foo')),
      route(/bar/, app('bar')),
      route(/^posarg\/(\d+)\/$/, app('posarg')),
      route('kwarg/:name/', app('kwarg')),
    ]);
    const cases: Array<[string, string, unknown]> = [
      ['/', 'root', { args: [], kwargs: {} }],
      ['/foo/', 'foo', { args: [], kwargs: {} }],
      ['/bar/', 'bar', { args: [], kwargs: {} }],
      ['/bar/baz/', 'bar', { args: [], kwargs: {} }],
      ['/posarg/123/', 'posarg', { args: ['123'], kwargs: {} }],
      ['/posarg/456/', 'posarg', { args: ['456'], kwargs: {} }],
      ['/kwarg/hello/', 'kwarg', { args: [], kwargs: { name: 'hello' } }],
      ['/kwarg/hellothere/', 'kwarg', { args: [], kwargs: { name: 'hellothere' } }],
    ];
    for (const [path, name, urlRoute] of cases) {
      await run(router, httpScope(path));
      expect(last()?.name, path).toBe(name);
      expect(last()?.scope.urlRoute, path).toEqual(urlRoute);
    }
  });

  it('answers an unmatched HTTP request with 404 and a short text body', async () => {
    const debug = vi.fn();
    const router = urlRouter([route('foo/', recorder().app('foo'))], {
      logger: { ...silent, debug },
    });
    const sent = await run(router, httpScope('/nonexistent/'));
    expect(sent).toEqual([
      {
        type: 'http.response.start',
        status: 404,
        headers: [
          ['content-type', 'text/plain; charset=utf-8'],
          ['content-length', '10'],
        ],
      },
      { type: 'http.response.body', body: new TextEncoder().encode('Not Found\n') },
    ]);
    expect(debug).toHaveBeenCalledWith(expect.stringContaining('no route'), {
      type: 'http',
      path: '/nonexistent/',
    });
  });

  it('rejects an unmatched WebSocket with a close without code, after the connect event', async () => {
    const router = urlRouter([route('foo/', recorder().app('foo'))], { logger: silent });
    const sent = await run(router, wsScope('/nope/'), [{ type: 'websocket.connect' }]);
    expect(sent).toEqual([{ type: 'websocket.close' }]);
  });

  it('sends nothing to an unmatched WebSocket whose client has already gone', async () => {
    const router = urlRouter([route('foo/', recorder().app('foo'))], { logger: silent });
    const sent = await run(router, wsScope('/nope/'), [
      { type: 'websocket.disconnect', code: 1006 },
    ]);
    expect(sent).toEqual([]);
  });

  it('merges kwargs of nested routers (test_url_router_nesting)', async () => {
    const { app, last } = recorder();
    const inner = urlRouter([
      route(/^book\/(?<book>[\w-]+)\/page\/(?<page>\d+)\/$/, app('book')),
      route(/^test\/(\d+)\/$/, app('test')),
    ]);
    const outer = urlRouter([
      route(/^universe\/(?<universe>\d+)\/author\/(?<author>\w+)\//, inner),
      route(/^positional\/(\w+)\//, inner),
    ]);
    await run(outer, httpScope('/universe/42/author/andrewgodwin/book/channels-guide/page/10/'));
    expect(last()?.scope.urlRoute).toEqual({
      args: [],
      kwargs: { book: 'channels-guide', author: 'andrewgodwin', page: '10', universe: '42' },
    });
    await run(outer, httpScope('/positional/foo/test/3/'));
    expect(last()?.scope.urlRoute).toEqual({ args: ['foo', '3'], kwargs: {} });
  });

  it('nests string patterns, also through a BaseMiddleware (test_url_router_nesting_path)', async () => {
    const { app, calls, last } = recorder();
    class Passthrough extends BaseMiddleware {
      protected extendScope() {
        return {};
      }
    }
    const inner = urlRouter([route('test/:page/', app('page'))]);
    const outer = urlRouter([route('number/:number/', new Passthrough(inner).asApp())], {
      logger: silent,
    });
    await run(inner, httpScope('/test/3/'));
    expect(last()?.scope.urlRoute.kwargs).toEqual({ page: '3' });
    await run(outer, httpScope('/number/42/test/3/'));
    expect(last()?.scope.urlRoute.kwargs).toEqual({ number: '42', page: '3' });
    for (const path of ['/number/42/test/3/bla/', '/number/42/blub/']) {
      const sent = await run(outer, httpScope(path));
      expect(sent[0], path).toMatchObject({ type: 'http.response.start', status: 404 });
    }
    expect(calls).toHaveLength(2);
  });

  it('nests the design example: /ws/ then chat/:room/', async () => {
    const { app, last } = recorder();
    const router = urlRouter([route('/ws/', urlRouter([route('chat/:room/', app('chat'))]))]);
    await run(router, wsScope('/ws/chat/lobby/'), [{ type: 'websocket.connect' }]);
    expect(last()?.scope.urlRoute).toEqual({ args: [], kwargs: { room: 'lobby' } });
  });

  it('goes on with the next route when a nested router matches nothing (test_path_remaining)', async () => {
    const { app, last } = recorder();
    const inner = urlRouter([route('no-match/', app('inner'))]);
    const outer = urlRouter([route('prefix/', inner), route('prefix/stuff/', app('stuff'))]);
    const outermost = urlRouter([route('', outer)], { logger: silent });
    await run(outermost, httpScope('/prefix/stuff/'));
    expect(last()?.name).toBe('stuff');
    const sent = await run(outermost, httpScope('/prefix/other/'));
    expect(sent[0]).toMatchObject({ status: 404 });
  });

  it('lets a nested inner kwarg win a name clash, as Channels does', async () => {
    const { app, last } = recorder();
    const router = urlRouter([route('a/:id/', urlRouter([route('b/:id/', app('b'))]))]);
    await run(router, httpScope('/a/1/b/2/'));
    expect(last()?.scope.urlRoute.kwargs).toEqual({ id: '2' });
  });

  it('ends a string prefix at a segment boundary', async () => {
    const { app, last } = recorder();
    const router = urlRouter([route('ws', urlRouter([route('chat/:room/', app('chat'))]))], {
      logger: silent,
    });
    await run(router, httpScope('/ws/chat/lobby/'));
    expect(last()?.scope.urlRoute.kwargs).toEqual({ room: 'lobby' });
    const sent = await run(router, httpScope('/wschat/lobby/'));
    expect(sent[0]).toMatchObject({ status: 404 });
  });

  it('takes values from the decoded path and never decodes them twice', async () => {
    const { app, last } = recorder();
    const router = urlRouter([route('chat/:room/', app('chat'))]);
    await run(router, httpScope('/chat/café/', '/chat/caf%C3%A9/'));
    expect(last()?.scope.urlRoute.kwargs).toEqual({ room: 'café' });
    await run(router, httpScope('/chat/100%25/', '/chat/100%2525/'));
    expect(last()?.scope.urlRoute.kwargs).toEqual({ room: '100%25' });
  });

  it('is strict about trailing slashes', async () => {
    const { app } = recorder();
    const withSlash = urlRouter([route('chat/:room/', app('chat'))], { logger: silent });
    const withoutSlash = urlRouter([route('chat/:room', app('chat'))], { logger: silent });
    expect((await run(withSlash, httpScope('/chat/lobby')))[0]).toMatchObject({ status: 404 });
    expect((await run(withoutSlash, httpScope('/chat/lobby/')))[0]).toMatchObject({ status: 404 });
    expect(await run(withoutSlash, httpScope('/chat/lobby'))).toEqual([]);
  });

  it('treats a leading slash in a string pattern as absent', async () => {
    const { app, calls } = recorder();
    for (const pattern of ['/ws/chat/:room/', 'ws/chat/:room/']) {
      await run(urlRouter([route(pattern, app(pattern))]), httpScope('/ws/chat/lobby/'));
    }
    expect(calls.map((call) => call.scope.urlRoute.kwargs)).toEqual([
      { room: 'lobby' },
      { room: 'lobby' },
    ]);
  });

  it('keeps an unmatched optional group in place: "" in args, absent from kwargs', async () => {
    const { app, last } = recorder();
    const router = urlRouter([
      route(/^named\/(?<a>\d+)(?:-(?<b>\d+))?\/$/, app('named')),
      route(/^plain\/(\d+)(?:-(\d+))?\/(\w+)\/$/, app('plain')),
    ]);
    await run(router, httpScope('/named/1/'));
    expect(last()?.scope.urlRoute.kwargs).toEqual({ a: '1' });
    await run(router, httpScope('/plain/1/x/'));
    expect(last()?.scope.urlRoute.args).toEqual(['1', '', 'x']);
  });

  it('passes down a frozen copy and leaves the given scope alone', async () => {
    const { app, last } = recorder();
    const router = urlRouter([route('/ws/', urlRouter([route('chat/:room/', app('chat'))]))]);
    const scope = httpScope('/ws/chat/lobby/');
    const before = structuredClone(scope);
    await run(router, scope);
    expect(scope).toEqual(before);
    expect(Object.getOwnPropertySymbols(scope)).toEqual([]);
    const seen = last()?.scope;
    expect(seen).not.toBe(scope);
    expect(Object.isFrozen(seen?.urlRoute)).toBe(true);
    expect(Object.isFrozen(seen?.urlRoute.kwargs)).toBe(true);
    expect(Object.isFrozen(seen?.urlRoute.args)).toBe(true);
    // kwargs has no prototype, so a missing name is undefined rather than Object's method.
    expect(seen?.urlRoute.kwargs['constructor']).toBeUndefined();
    // The rest-of-path field is for routers only; an endpoint's scope does not carry it.
    expect(Object.getOwnPropertySymbols(seen)).toEqual([]);
  });

  it('lets an error thrown by a routed application through, and tries no other route', async () => {
    const { app, calls } = recorder();
    const failing: Application = () => Promise.reject(new Error('boom'));
    const router = urlRouter([
      route('/ws/', urlRouter([route('x/', failing)])),
      route('/ws/x/', app('other')),
    ]);
    await expect(run(router, httpScope('/ws/x/'))).rejects.toThrow('boom');
    expect(calls).toEqual([]);
  });

  it('refuses an empty table or entries not made by route()', () => {
    const app: Application = () => Promise.resolve();
    expect(() => urlRouter([])).toThrow(/non-empty array of routes/);
    const fake = { pattern: 'x/', app } as unknown as ReturnType<typeof route>;
    expect(() => urlRouter([route('a/', app), fake])).toThrow(
      /routes\[1\] was not made by route\(\)/,
    );
  });
});
