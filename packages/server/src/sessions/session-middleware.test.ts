import type { Application, HttpScope, Session, WithSession } from '@wsgate/shared';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WsgateError } from '../errors.js';
import { HttpCommunicator } from '../testing/http-communicator.js';
import { InMemoryRevocationStore } from './in-memory-revocation-store.js';
import { newSessionId, sealSession } from './seal-session.js';
import { createSessionCodec } from './session-codec.js';
import { sessionMiddleware } from './session-middleware.js';
import { sessionMiddlewareStack } from './session-middleware-stack.js';
import type { SessionOptions } from './session-options.js';

const password = 'a-test-password-of-at-least-32-characters';

/** An HTTP app that runs `work` on the session, then answers `status`. */
function app(
  work: (session: Session) => void | Promise<void> = () => undefined,
  status = 200,
): Application<HttpScope & WithSession> {
  return async (scope, receive, send) => {
    await receive();
    await work(scope.session);
    await send({ type: 'http.response.start', status, headers: [['content-type', 'text/plain']] });
    await send({ type: 'http.response.body', body: new TextEncoder().encode(scope.session.id) });
  };
}

function stack(
  work?: (session: Session) => void | Promise<void>,
  options: Partial<SessionOptions> = {},
  status?: number,
): Application<HttpScope> {
  return sessionMiddlewareStack(app(work, status), { password, ...options });
}

async function request(
  application: Application<HttpScope>,
  cookie?: string,
  target = '/',
): Promise<{ setCookies: string[]; sessionId: string; status: number }> {
  const headers: Array<[string, string]> = cookie === undefined ? [] : [['cookie', cookie]];
  const response = await new HttpCommunicator(application, 'GET', target, {
    headers,
  }).getResponse();
  return {
    status: response.status,
    setCookies: response.headers.filter(([name]) => name === 'set-cookie').map(([, v]) => v),
    sessionId: new TextDecoder().decode(response.body),
  };
}

/** `name=value` of a Set-Cookie header, ready for a Cookie header. */
function cookiePair(setCookie: string | undefined): string {
  return (setCookie ?? '').split(';')[0] ?? '';
}

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('sessionMiddleware over HTTP', () => {
  it('sets a changed session as an HttpOnly, Lax cookie with Max-Age and Expires', async () => {
    const { setCookies } = await request(stack((session) => session.set('visits', 1)));
    expect(setCookies).toHaveLength(1);
    const [cookie = ''] = setCookies;
    expect(cookie).toMatch(/^wsgate\.session=Fe26\.2\*1\*[^;]+~2; /);
    expect(cookie).toContain('Max-Age=1209600');
    expect(cookie).toMatch(/Expires=\w{3}, \d{2} \w{3} \d{4}/);
    expect(cookie).toContain('Path=/');
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    expect(cookie).not.toContain('Secure');
  });

  it('adds Secure over https, and by option', async () => {
    const set = (session: Session) => session.set('a', 1);
    const overHttps = await request(stack(set), undefined, 'https://example.com/');
    expect(overHttps.setCookies[0]).toContain('Secure');
    const byOption = await request(stack(set, { cookie: { secure: true } }));
    expect(byOption.setCookies[0]).toContain('Secure');
    const forcedOff = await request(
      stack(set, { cookie: { secure: false } }),
      undefined,
      'https://example.com/',
    );
    expect(forcedOff.setCookies[0]).not.toContain('Secure');
  });

  it('brings the session back from its cookie, and sets nothing when it did not change', async () => {
    const first = await request(stack((session) => session.set('theme', 'dark')));
    let seen: unknown;
    const second = await request(
      stack((session) => {
        seen = session.get('theme');
      }),
      cookiePair(first.setCookies[0]),
    );
    expect(seen).toBe('dark');
    expect(second.sessionId).toBe(first.sessionId);
    expect(second.setCookies).toEqual([]);
  });

  it('sets the cookie when the application called save(), changed or not (as Channels)', async () => {
    const seed = await request(stack((session) => session.set('a', 1)));
    const { setCookies } = await request(
      stack((session) => session.save()),
      cookiePair(seed.setCookies[0]),
    );
    expect(setCookies).toHaveLength(1);
  });

  it('deletes the cookie when the session was emptied, and only if the browser had one', async () => {
    const seed = await request(stack((session) => session.set('a', 1)));
    const emptied = await request(
      stack((session) => session.flush()),
      cookiePair(seed.setCookies[0]),
    );
    expect(emptied.setCookies).toHaveLength(1);
    expect(emptied.setCookies[0]).toMatch(
      /^wsgate\.session=; Max-Age=0; .*Expires=Thu, 01 Jan 1970/,
    );
    const fresh = await request(stack((session) => session.flush()));
    expect(fresh.setCookies).toEqual([]);
  });

  it('does not save on a 5xx response (as Channels)', async () => {
    const { setCookies } = await request(stack((session) => session.set('a', 1), {}, 500));
    expect(setCookies).toEqual([]);
  });

  it('keeps the application’s own headers', async () => {
    const application = sessionMiddlewareStack<HttpScope>(
      async (scope, receive, send) => {
        scope.session.set('a', 1);
        await send({ type: 'http.response.start', status: 200, headers: [['x-app', '1']] });
        await send({ type: 'http.response.body' });
      },
      { password },
    );
    const response = await new HttpCommunicator(application, 'GET', '/').getResponse();
    expect(response.headers.map(([name]) => name)).toEqual(['x-app', 'set-cookie']);
  });

  it('gives an empty new session for a cookie that does not open', async () => {
    const seed = await request(stack((session) => session.set('a', 1)));
    const pair = cookiePair(seed.setCookies[0]);
    const foreign = await request(
      sessionMiddlewareStack(
        app((session) => session.set('a', 1)),
        { password: 'z'.repeat(32) },
      ),
    );
    for (const cookie of [
      `${pair.slice(0, -8)}AAAAAA~2`,
      cookiePair(foreign.setCookies[0]),
      `wsgate.session=${'A'.repeat(15 * 1024)}`,
      'wsgate.session=%E0%A4%A',
    ]) {
      let empty: boolean | undefined;
      const response = await request(
        stack((session) => {
          empty = session.isEmpty;
        }),
        cookie,
      );
      expect(empty).toBe(true);
      expect(response.sessionId).not.toBe(seed.sessionId);
    }
  });

  it('gives an empty session for a seal that expired', async () => {
    const codec = createSessionCodec(password);
    const { seal } = await sealSession(codec, { id: newSessionId(), data: { a: 1 } }, 1);
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 2000 });
    let empty: boolean | undefined;
    await request(
      stack((session) => {
        empty = session.isEmpty;
      }),
      `wsgate.session=${seal}`,
    );
    expect(empty).toBe(true);
  });

  it('opens old seals after a password rotation and seals new ones with the newest id', async () => {
    const seed = await request(stack((session) => session.set('a', 1)));
    const rotated = { password: { 1: password, 2: 'b'.repeat(32) } };
    let seen: unknown;
    const { setCookies } = await request(
      stack((session) => {
        seen = session.get('a');
        session.set('b', 2);
      }, rotated),
      cookiePair(seed.setCookies[0]),
    );
    expect(seen).toBe(1);
    expect(setCookies[0]).toMatch(/^wsgate\.session=Fe26\.2\*2\*/);
  });

  it('refuses an oversized session with an error naming its size and the limit', async () => {
    const big = (session: Session) => session.set('blob', 'x'.repeat(5000));
    await expect(request(stack(big))).rejects.toThrow(
      /session cookie would be \d{4,} bytes, over browsers' limit of 4096/,
    );
    let saveError: unknown;
    await request(
      stack(async (session) => {
        big(session);
        saveError = await session.save().catch((error: unknown) => error);
        session.delete('blob');
      }),
    );
    expect(saveError).toBeInstanceOf(WsgateError);
  });

  it('refuses save() once the response has started', async () => {
    let saveError: unknown;
    const application = sessionMiddlewareStack<HttpScope>(
      async (scope, receive, send) => {
        await send({ type: 'http.response.start', status: 200 });
        scope.session.set('late', true);
        saveError = await scope.session.save().catch((error: unknown) => error);
        await send({ type: 'http.response.body' });
      },
      { password },
    );
    await new HttpCommunicator(application, 'GET', '/').getResponse();
    expect(saveError).toBeInstanceOf(WsgateError);
    expect(String(saveError)).toMatch(/after http\.response\.start/);
  });

  it('gives an empty session for a revoked id, from the cache too', async () => {
    const revocationStore = new InMemoryRevocationStore();
    const application = stack((session) => session.set('a', 1), { revocationStore });
    const seed = await request(application);
    const pair = cookiePair(seed.setCookies[0]);
    // The first replay opens the seal and caches it; revoke, then replay from the cache.
    expect((await request(application, pair)).sessionId).toBe(seed.sessionId);
    revocationStore.revoke(seed.sessionId, 60);
    expect((await request(application, pair)).sessionId).not.toBe(seed.sessionId);
  });

  it('serves a repeated cookie from the cache, each request with its own copy', async () => {
    const seen: unknown[] = [];
    const application = stack((session) => {
      const list = session.get<number[]>('list');
      if (list === undefined) return session.set('list', [0]);
      seen.push([...list]);
      list.push(99); // changes this request's copy only
    });
    const pair = cookiePair((await request(application)).setCookies[0]);
    await request(application, pair); // opens the seal and caches it
    const importKey = vi.spyOn(globalThis.crypto.subtle, 'importKey');
    await request(application, pair);
    expect(importKey).not.toHaveBeenCalled();
    expect(seen).toEqual([[0], [0]]);
  });

  it('unseals every time with cacheSize 0', async () => {
    const application = stack((session) => session.set('a', 1), { cacheSize: 0 });
    const pair = cookiePair((await request(application)).setCookies[0]);
    await request(application, pair);
    const importKey = vi.spyOn(globalThis.crypto.subtle, 'importKey');
    await request(application, pair);
    expect(importKey).toHaveBeenCalled();
  });

  it('passes a session from an outer session middleware through', async () => {
    let sessions: Session[] = [];
    const inner = sessionMiddleware<HttpScope>(
      async (scope, receive, send) => {
        sessions.push(scope.session);
        await app()(scope, receive, send);
      },
      { password },
    );
    const outer = sessionMiddlewareStack<HttpScope>(
      async (scope, receive, send) => {
        sessions = [scope.session];
        await inner(scope, receive, send);
      },
      { password },
    );
    await request(outer);
    expect(sessions).toHaveLength(2);
    expect(sessions[0]).toBe(sessions[1]);
  });

  it('says how to fix a missing cookie middleware, at request time', async () => {
    const application = sessionMiddleware(app(), { password }) as unknown as Application<HttpScope>;
    await expect(request(application)).rejects.toThrow(
      'wsgate: sessionMiddleware needs cookies in scope. Wrap it in cookieMiddleware, or use sessionMiddlewareStack.',
    );
  });

  it('keeps concurrent requests in separate sessions', async () => {
    const application = stack(async (session) => {
      session.set('n', Math.random());
      await Promise.resolve();
    });
    const results = await Promise.all([request(application), request(application)]);
    expect(results[0]?.sessionId).not.toBe(results[1]?.sessionId);
    expect(results[0]?.setCookies[0]).not.toBe(results[1]?.setCookies[0]);
  });
});
