/// <reference types="node" />
/**
 * The HTTP side of signing in, in process over real sockets: HTML forms get a 303 back to the
 * page (with `?error=` on failure), scripts get JSON; bad requests are refused with a reason;
 * failures are throttled across HTTP and the socket alike; a logged-out cookie stays dead.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InProcessDemo } from './in-process-demo.js';
import { startInProcess } from './in-process-demo.js';
import { joinRoom, postForm, sessionCookie } from './room-client.js';

let demo: InProcessDemo;

beforeEach(async () => {
  demo = await startInProcess();
});

afterEach(() => demo.close());

/** Posts like an HTML form: urlencoded, no Accept: JSON, redirects not followed. */
function postHtmlForm(path: string, fields: Record<string, string>, origin = demo.base) {
  return fetch(`${demo.base}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
}

async function me(cookie: string): Promise<unknown> {
  const response = await fetch(`${demo.base}/api/me`, { headers: { cookie } });
  return ((await response.json()) as { user: unknown }).user;
}

describe('HTML forms', () => {
  it('sign up with a 303 back to the room, setting an HttpOnly cookie', async () => {
    const response = await postHtmlForm('/auth/signup', {
      username: 'ada',
      password: 'lovelace-1815',
      room: 'random',
    });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/#random');
    expect(response.headers.getSetCookie()[0]).toMatch(/^wsgate\.session=.*HttpOnly/i);
    expect(await me(sessionCookie(response))).toEqual({ id: '1', username: 'ada' });
  });

  it('come back with ?error=<code> and no cookie on failure, and never redirect off-site', async () => {
    await postHtmlForm('/auth/signup', { username: 'ada', password: 'lovelace-1815' });
    const wrong = await postHtmlForm('/auth/login', {
      username: 'ada',
      password: 'nope',
      room: '//evil.example',
    });
    expect(wrong.status).toBe(303);
    expect(wrong.headers.get('location')).toBe('/?error=credentials');
    expect(wrong.headers.getSetCookie()).toEqual([]);
    const taken = await postHtmlForm('/auth/signup', {
      username: 'ADA',
      password: 'whatever-123',
      room: 'lobby',
    });
    expect(taken.headers.get('location')).toBe('/?error=taken#lobby');
  });
});

describe('refusals', () => {
  it('give an unknown user and a wrong password the same answer', async () => {
    await postForm(demo.base, '/auth/signup', { username: 'ada', password: 'lovelace-1815' });
    const unknown = await postForm(demo.base, '/auth/login', {
      username: 'nobody',
      password: 'lovelace-1815',
    });
    const wrong = await postForm(demo.base, '/auth/login', {
      username: 'ada',
      password: 'lovelace-1816',
    });
    expect(unknown.status).toBe(401);
    expect(await unknown.json()).toEqual(await wrong.json());
  });

  it('check sign-up input', async () => {
    const cases = [
      [{ username: 'a', password: 'long-enough' }, 'username'],
      [{ username: 'ada lovelace', password: 'long-enough' }, 'username'],
      [{ username: 'ada', password: 'short' }, 'password'],
    ] as const;
    for (const [fields, code] of cases) {
      const response = await postForm(demo.base, '/auth/signup', fields);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ ok: false, error: { code } });
    }
  });

  it('refuse posts from other sites, other methods, other bodies', async () => {
    const foreign = await postHtmlForm(
      '/auth/login',
      { username: 'ada', password: 'x' },
      'https://evil.example',
    );
    expect(foreign.headers.get('location')).toBe('/?error=origin');
    const get = await fetch(`${demo.base}/auth/login`, { headers: { accept: 'application/json' } });
    expect(get.status).toBe(405);
    const text = await fetch(`${demo.base}/auth/login`, {
      method: 'POST',
      headers: { origin: demo.base, accept: 'application/json', 'content-type': 'text/plain' },
      body: 'username=ada',
    });
    expect(text.status).toBe(415);
    const huge = await postForm(demo.base, '/auth/login', {
      username: 'ada',
      password: 'x'.repeat(5000),
    });
    expect(huge.status).toBe(413);
    const broken = await fetch(`${demo.base}/auth/login`, {
      method: 'POST',
      headers: {
        origin: demo.base,
        accept: 'application/json',
        'content-type': 'application/json',
      },
      body: '{"username":',
    });
    expect(broken.status).toBe(400);
  });

  it('serve 404 for unknown paths and 405 for posts to pages', async () => {
    expect((await fetch(`${demo.base}/nope`)).status).toBe(404);
    expect((await fetch(`${demo.base}/`, { method: 'POST' })).status).toBe(405);
  });
});

describe('sessions', () => {
  it('throttle failed sign-ins per account over HTTP and in the socket together', async () => {
    await postForm(demo.base, '/auth/signup', { username: 'ada', password: 'lovelace-1815' });
    for (let attempt = 0; attempt < 4; attempt += 1) {
      const response = await postForm(demo.base, '/auth/login', {
        username: 'ada',
        password: 'guess',
      });
      expect(response.status).toBe(401);
    }
    // The fifth failure, in a socket, reaches the limit that HTTP shares.
    const socket = await joinRoom(demo.base, 'lobby');
    await expect(socket.client.login({ username: 'ada', password: 'guess' })).rejects.toThrow();
    const locked = await postForm(demo.base, '/auth/login', {
      username: 'ada',
      password: 'lovelace-1815',
    });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    socket.close();
  });

  it('keep a logged-out cookie dead', async () => {
    const cookie = sessionCookie(
      await postForm(demo.base, '/auth/signup', { username: 'ada', password: 'lovelace-1815' }),
    );
    const logout = await postForm(demo.base, '/auth/logout', {}, cookie);
    expect(logout.headers.getSetCookie()[0]).toMatch(/^wsgate\.session=;/);
    expect(await me(cookie)).toBeNull();
    const socket = await joinRoom(demo.base, 'lobby', { cookie });
    expect(socket.client.user).toBeNull();
    socket.close();
  });
});
