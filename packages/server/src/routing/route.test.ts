import type { Application } from '@wsgate/shared';
import { describe, expect, it } from 'vitest';
import { WsgateError } from '../errors.js';
import { compiledRoute, route } from './route.js';
import { urlRouter } from './url-router.js';

const app: Application = () => Promise.resolve();

function matchOf(pattern: string | RegExp, path: string, target: Application = app) {
  return compiledRoute(route(pattern, target))?.match(path);
}

describe('route', () => {
  it('compiles :params to one non-empty segment each, over the whole path', () => {
    expect(matchOf('chat/:room/', 'chat/lobby/')).toEqual({
      args: [],
      kwargs: { room: 'lobby' },
      rest: '',
    });
    expect(matchOf('chat/:room/', 'chat//')).toBeNull();
    expect(matchOf('chat/:room/', 'chat/a/b/')).toBeNull();
    expect(matchOf('chat/:room/', 'xchat/lobby/')).toBeNull();
    expect(matchOf('u/:id/p/:page', 'u/7/p/2')?.kwargs).toEqual({ id: '7', page: '2' });
  });

  it('matches literal text literally, RegExp characters included', () => {
    expect(matchOf('v1.0/(x)/', 'v1.0/(x)/')).not.toBeNull();
    expect(matchOf('v1.0/(x)/', 'v1x0/(x)/')).toBeNull();
    expect(matchOf('a:b/', 'a:b/')).not.toBeNull();
  });

  it('matches a prefix when the app is a router, and keeps the rest', () => {
    const router = urlRouter([route('x/', app)]);
    expect(matchOf('/ws/', 'ws/chat/', router)).toEqual({ args: [], kwargs: {}, rest: 'chat/' });
    expect(matchOf('ws', 'ws/chat/', router)?.rest).toBe('/chat/');
    expect(matchOf('ws', 'ws', router)?.rest).toBe('');
    expect(matchOf('', 'anything/', router)?.rest).toBe('anything/');
  });

  it('searches with a RegExp as re_path does, keeping what follows the match', () => {
    expect(matchOf(/bar/, 'foo/bar/baz/')).toEqual({ args: [], kwargs: {}, rest: '/baz/' });
    expect(matchOf(/^a\/(\d+)\/(?<b>\w+)\//, 'a/1/x/rest')).toEqual({
      args: [],
      kwargs: { b: 'x' },
      rest: 'rest',
    });
  });

  it('is not thrown off by a RegExp used elsewhere', () => {
    const pattern = /^n\/(\d+)\/$/;
    const compiled = compiledRoute(route(pattern, app));
    pattern.lastIndex = 5;
    expect(compiled?.match('n/1/')?.args).toEqual(['1']);
  });

  it.each([
    ['chat/:room/:room/', /':room' appears twice/],
    ['chat/:/', /':' is not a parameter/],
    ['chat/:room.txt', /':room.txt' is not a parameter/],
    ['chat/:9room/', /':9room' is not a parameter/],
    ['chat/?room=1', /scope\.queryString/],
    ['chat/#top', /scope\.queryString/],
    ['chat//room/', /empty path segment/],
    ['//chat/', /empty path segment/],
  ])('refuses the string pattern %s when the table is built', (pattern, message) => {
    expect(() => route(pattern, app)).toThrow(message);
    expect(() => route(pattern, app)).toThrow(WsgateError);
  });

  it.each([
    [/^chat\//g, /g and y flags/],
    [/chat\//y, /g and y flags/],
    [/^\/chat\//, /without their leading '\/'/],
    [new RegExp('^/chat/'), /without their leading '\/'/],
  ])('refuses the RegExp %s when the table is built', (pattern, message) => {
    expect(() => route(pattern, app)).toThrow(message);
  });

  it('refuses a pattern or app of the wrong kind, naming it', () => {
    expect(() => route(42 as unknown as string, app)).toThrow(
      /must be a string or a RegExp, got number/,
    );
    expect(() => route('chat/', undefined as unknown as Application)).toThrow(
      /route\('chat\/', app\): app must be an application function/,
    );
  });

  it('gives every refusal the INVALID_OPTION code', () => {
    try {
      route('a/:x/:x/', app);
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'INVALID_OPTION', name: 'WsgateError' });
    }
  });
});
