import { describe, expect, it } from 'vitest';
import type { Application, Scope } from '@wsgate/shared';
import { WsgateError } from '../errors.js';
import type { Logger } from '../logger.js';
import { route } from '../routing/route.js';
import { urlRouter } from '../routing/url-router.js';
import { HttpCommunicator } from '../testing/http-communicator.js';
import { WebsocketCommunicator } from '../testing/websocket-communicator.js';
import { allowedHostsOriginValidator } from './allowed-hosts-origin-validator.js';
import { originValidator } from './origin-validator.js';

/** An app that accepts every connection and counts how often it was called. */
function spyApp(): { app: Application; calls: Scope[] } {
  const calls: Scope[] = [];
  const app: Application = async (scope, receive, send) => {
    calls.push(scope);
    if (scope.type === 'http') {
      await send({ type: 'http.response.start', status: 204, headers: [] });
      await send({ type: 'http.response.body' });
      return;
    }
    for (;;) {
      const event = await receive();
      if (event.type === 'websocket.connect') await send({ type: 'websocket.accept' });
      if (event.type === 'websocket.disconnect') return;
    }
  };
  return { app, calls };
}

/** A logger that keeps its debug lines. */
function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const ignore = (): void => undefined;
  return {
    lines,
    debug: (message) => lines.push(message),
    info: ignore,
    warn: ignore,
    error: ignore,
  };
}

/** Connects with `origin` (or none) and reports whether the connection was accepted. */
async function connects(app: Application, origin: string | null): Promise<boolean> {
  const headers: Array<[string, string]> = origin === null ? [] : [['origin', origin]];
  const communicator = new WebsocketCommunicator(app, '/ws/', { headers });
  const [connected] = await communicator.connect();
  await communicator.disconnect();
  return connected;
}

describe("originValidator: Channels' test_origin_validator", () => {
  it.each<[string, string[], string | null, boolean]>([
    ['a host pattern, matching origin', ['allowed-domain.com'], 'http://allowed-domain.com', true],
    ['a host pattern, other origin', ['allowed-domain.com'], 'http://bad-domain.com', false],
    ['*.pattern, the bare domain', ['*.allowed-domain.com'], 'http://allowed-domain.com', false],
    ['.pattern, a subdomain', ['.allowed-domain.com'], 'http://www.allowed-domain.com', true],
    ['scheme://domain, matching', ['http://allowed-domain.com'], 'http://allowed-domain.com', true],
    ['scheme://domain, other', ['http://allowed-domain.com'], 'https://bad-domain.com:443', false],
    ['*, no Origin header', ['*'], null, true],
    ['an empty list, no Origin header', [], null, false],
    ['.pattern, an empty Origin', ['.allowed-domain.com'], '', false],
    ['.pattern, an invalid Origin', ['.allowed-domain.com'], 'something-invalid', false],
  ])('%s', async (_, allowed, origin, expected) => {
    const { app } = spyApp();
    expect(
      await connects(originValidator(app, allowed, { logger: recordingLogger() }), origin),
    ).toBe(expected);
  });
});

describe('originValidator: hostile and confused origins', () => {
  const allowed = ['https://app.example.com'];

  it.each<[string, string | null, boolean]>([
    ['the allowed origin', 'https://app.example.com', true],
    ['an upper-case host (normalised)', 'https://APP.Example.COM', true],
    ['the explicit default port', 'https://app.example.com:443', true],
    ['a trailing dot (the same DNS name, as Django)', 'https://app.example.com.', true],
    ['a lookalike suffix', 'https://app.example.com.evil.com', false],
    ['a lookalike prefix', 'https://evilapp.example.com', false],
    ['a scheme downgrade', 'http://app.example.com', false],
    ['a wrong port', 'https://app.example.com:8443', false],
    ['null', 'null', false],
    ['a missing Origin', null, false],
    ['an empty Origin', '', false],
    ['garbage', '\u0001%%%:://', false],
    ['a path', 'https://app.example.com/', false],
    ['userinfo', 'https://app.example.com@evil.com', false],
    ['an IPv6 origin', 'http://[::1]:3000', false],
  ])('%s', async (_, origin, expected) => {
    const { app, calls } = spyApp();
    const guarded = originValidator(app, allowed, { logger: recordingLogger() });
    expect(await connects(guarded, origin)).toBe(expected);
    expect(calls).toHaveLength(expected ? 1 : 0);
  });

  it('allows an IPv6 origin that is listed', async () => {
    const { app } = spyApp();
    const guarded = originValidator(app, ['http://[::1]:3000'], { logger: recordingLogger() });
    expect(await connects(guarded, 'http://[::1]:3000')).toBe(true);
  });

  it('refuses two Origin headers, even if one is allowed', async () => {
    const { app, calls } = spyApp();
    const logger = recordingLogger();
    const communicator = new WebsocketCommunicator(originValidator(app, allowed, { logger }), '/', {
      headers: [
        ['origin', 'https://app.example.com'],
        ['origin', 'https://evil.com'],
      ],
    });
    expect(await communicator.connect()).toEqual([false, 1000]);
    await communicator.disconnect();
    expect(calls).toHaveLength(0);
    expect(logger.lines).toEqual(['origin "https://app.example.com" refused: 2 Origin headers']);
  });

  it('lets anything through with *, even null and garbage', async () => {
    const { app, calls } = spyApp();
    const guarded = originValidator(app, ['https://a.com', '*'], { logger: recordingLogger() });
    for (const origin of ['null', '', 'garbage', null, 'https://evil.com']) {
      expect(await connects(guarded, origin)).toBe(true);
    }
    expect(calls).toHaveLength(5);
  });
});

describe('originValidator: a refusal', () => {
  it('never calls the inner app, closes before accept with no code, and logs the origin at debug', async () => {
    const { app, calls } = spyApp();
    const logger = recordingLogger();
    const guarded = originValidator(app, ['https://app.example.com', '.example.org'], { logger });
    const communicator = new WebsocketCommunicator(guarded, '/ws/chat/', {
      headers: [['origin', 'https://evil.com']],
    });
    await communicator.sendInput({ type: 'websocket.connect' });
    // No code: the adapter answers HTTP 403 before the upgrade, as Channels' WebsocketDenier.
    expect(await communicator.receiveOutput()).toEqual({ type: 'websocket.close' });
    expect(await communicator.receiveNothing()).toBe(true);
    await communicator.disconnect();
    expect(calls).toHaveLength(0);
    expect(logger.lines).toEqual([
      'origin "https://evil.com" refused: not in allowed origins [https://app.example.com, .example.org]',
    ]);
  });

  it.each<[string | null, string]>([
    [null, 'connection refused: missing Origin header'],
    [
      'null',
      'origin "null" refused: opaque origin "null" (a sandboxed frame, a file: page or a cross-origin redirect)',
    ],
    [
      'https://a.com/x',
      'origin "https://a.com/x" refused: not an origin: expected scheme://host[:port], no path',
    ],
    [
      'evil\u001b[31m',
      'origin "evil\\u001b[31m" refused: not an origin: expected scheme://host[:port], no path',
    ],
  ])('logs why %j was refused, quoted so that it cannot forge log lines', async (origin, line) => {
    const logger = recordingLogger();
    await connects(originValidator(spyApp().app, ['a.com'], { logger }), origin);
    expect(logger.lines).toEqual([line]);
  });

  it('bounds the logged origin of a huge header', async () => {
    const logger = recordingLogger();
    await connects(
      originValidator(spyApp().app, ['a.com'], { logger }),
      `https://${'a'.repeat(100_000)}.com`,
    );
    expect(logger.lines[0]?.length).toBeLessThan(300);
  });

  it('sends nothing when the client left before connecting', async () => {
    const { app, calls } = spyApp();
    const communicator = new WebsocketCommunicator(
      originValidator(app, ['a.com'], { logger: recordingLogger() }),
      '/',
    );
    await communicator.disconnect(1001);
    expect(await communicator.receiveNothing(10)).toBe(true);
    expect(calls).toHaveLength(0);
  });
});

describe('originValidator: construction', () => {
  it('compiles patterns up front: an invalid one throws INVALID_OPTION naming it', () => {
    const { app } = spyApp();
    expect(() => originValidator(app, ['https://a.com', 'https://b.com/'])).toThrow(
      /the origin pattern "https:\/\/b.com\/" is invalid/,
    );
    try {
      originValidator(app, ['a.com:80']);
    } catch (error) {
      expect(error).toBeInstanceOf(WsgateError);
      expect((error as WsgateError).code).toBe('INVALID_OPTION');
    }
  });

  it('refuses a list that is not an array of strings', () => {
    const { app } = spyApp();
    expect(() => originValidator(app, 'https://a.com' as unknown as string[])).toThrow(
      /allowed origins must be an array of strings/,
    );
    expect(() => originValidator(app, [42] as unknown as string[])).toThrow(/array of strings/);
  });
});

describe('originValidator: http scopes', () => {
  it('passes HTTP requests through untouched, with or without an Origin', async () => {
    const { app, calls } = spyApp();
    const logger = recordingLogger();
    const guarded = originValidator(app, ['https://a.com'], { logger });
    for (const headers of [[], [['origin', 'https://evil.com']]] as Array<
      Array<[string, string]>
    >) {
      const communicator = new HttpCommunicator(guarded, 'GET', '/', { headers });
      expect((await communicator.getResponse()).status).toBe(204);
    }
    expect(calls).toHaveLength(2);
    expect(logger.lines).toEqual([]);
  });
});

describe('allowedHostsOriginValidator', () => {
  const hosts = ['example.com', '.example.org', 'localhost', '[::1]'];

  it.each<[string | null, boolean]>([
    ['https://example.com', true],
    ['http://example.com:8000', true],
    ['https://www.example.com', false],
    ['https://example.org', true],
    ['https://chat.example.org:8443', true],
    ['https://example.org.evil.com', false],
    ['http://localhost:5173', true],
    ['http://[::1]:3000', true],
    ['null', false],
    [null, false],
  ])('%s: %s', async (origin, expected) => {
    const { app, calls } = spyApp();
    const guarded = allowedHostsOriginValidator(app, hosts, { logger: recordingLogger() });
    expect(await connects(guarded, origin)).toBe(expected);
    expect(calls).toHaveLength(expected ? 1 : 0);
  });

  it('names the hosts list in its log line', async () => {
    const logger = recordingLogger();
    await connects(
      allowedHostsOriginValidator(spyApp().app, ['example.com'], { logger }),
      'https://evil.com',
    );
    expect(logger.lines).toEqual([
      'origin "https://evil.com" refused: not in allowed hosts [example.com]',
    ]);
  });

  it('allows anything with *', async () => {
    const guarded = allowedHostsOriginValidator(spyApp().app, ['*'], { logger: recordingLogger() });
    expect(await connects(guarded, null)).toBe(true);
  });

  it('refuses entries that are not ALLOWED_HOSTS syntax', () => {
    expect(() => allowedHostsOriginValidator(spyApp().app, ['https://example.com'])).toThrow(
      /ALLOWED_HOSTS entries are a.com, .a.com or '\*'/,
    );
  });
});

describe('the validators around a urlRouter', () => {
  it('stay routers, so that an outer route still matches them as a prefix', async () => {
    const { app, calls } = spyApp();
    const logger = recordingLogger();
    const inner = urlRouter([route('chat/:room/', app)]);
    const outer = urlRouter([
      route('/ws/', originValidator(inner, ['a.com'], { logger })),
      route('/hosts/', allowedHostsOriginValidator(inner, ['a.com'], { logger })),
    ]);
    for (const path of ['/ws/chat/lobby/', '/hosts/chat/lobby/']) {
      const communicator = new WebsocketCommunicator(outer, path, {
        headers: [['origin', 'https://a.com']],
      });
      expect((await communicator.connect())[0]).toBe(true);
      await communicator.disconnect();
    }
    expect(calls).toHaveLength(2);
  });
});
