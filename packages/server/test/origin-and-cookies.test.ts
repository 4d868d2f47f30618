import { afterEach, describe, expect, it } from 'vitest';
import type { Application, Scope, WithCookies } from '@wsgate/shared';
import { cookieMiddleware } from '../src/cookies/cookie-middleware.js';
import { setCookie } from '../src/cookies/set-cookie.js';
import { originValidator } from '../src/security/origin-validator.js';
import { Harness, RecordingLogger, within } from './adapter-fixtures.js';

/** Accepts every socket and reports its cookies; answers HTTP with them and sets one. */
function cookieEcho(): { app: Application; calls: () => number } {
  let calls = 0;
  const app = cookieMiddleware(async (scope: Scope & WithCookies, receive, send) => {
    calls += 1;
    const cookies = JSON.stringify(scope.cookies);
    if (scope.type === 'http') {
      const headers = setCookie([['content-type', 'application/json']], 'seen', 'yes', {
        httpOnly: true,
        sameSite: 'lax',
      });
      await send({
        type: 'http.response.start',
        status: 200,
        headers: setCookie(headers, 'theme', 'dark'),
      });
      await send({ type: 'http.response.body', body: new TextEncoder().encode(cookies) });
      return;
    }
    await receive();
    await send({ type: 'websocket.accept' });
    await send({ type: 'websocket.send', text: cookies });
    while ((await receive()).type !== 'websocket.disconnect');
  });
  return { app, calls: () => calls };
}

describe('originValidator and cookieMiddleware over real sockets', () => {
  const harness = new Harness();
  afterEach(() => harness.cleanup());

  async function start() {
    const echo = cookieEcho();
    const refusals = new RecordingLogger();
    const app = originValidator(echo.app, ['https://app.example.com'], { logger: refusals });
    const server = await harness.start(app, { logger: new RecordingLogger() });
    return { server, refusals, calls: echo.calls };
  }

  it('answers a forbidden Origin with HTTP 403 before the upgrade, never reaching the app', async () => {
    const { server, refusals, calls } = await start();
    const client = harness.client(server, '/ws/', [], { origin: 'https://evil.example.com' });
    expect(await client.handshake()).toEqual({ kind: 'refused', status: 403 });
    expect(calls()).toBe(0);
    const logged = await refusals.waitFor('refused');
    expect(logged).toMatchObject({
      level: 'debug',
      message:
        'origin "https://evil.example.com" refused: not in allowed origins [https://app.example.com]',
    });
  });

  it.each([
    ['no Origin', {}],
    ['a scheme downgrade', { origin: 'http://app.example.com' }],
    ['a lookalike host', { origin: 'https://app.example.com.evil.com' }],
  ])('answers %s with HTTP 403', async (_, options) => {
    const { server, calls } = await start();
    expect(await harness.client(server, '/ws/', [], options).handshake()).toEqual({
      kind: 'refused',
      status: 403,
    });
    expect(calls()).toBe(0);
  });

  it('lets an allowed Origin connect, with its cookies parsed', async () => {
    const { server } = await start();
    const client = harness.client(server, '/ws/', [], {
      origin: 'https://APP.example.com',
      headers: { cookie: 'sid=abc; theme=dark; sid=shadowed; bad=%E0%A4%A' },
    });
    expect((await client.handshake()).kind).toBe('open');
    expect(JSON.parse(String(await client.message(0)))).toEqual({
      sid: 'abc',
      theme: 'dark',
      bad: '%E0%A4%A',
    });
  });

  it('leaves HTTP requests alone and sends each setCookie as its own Set-Cookie header', async () => {
    const { server } = await start();
    const response = await fetch(`${server.url}/`, {
      headers: { cookie: 'a=1', origin: 'https://evil.example.com' },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ a: '1' });
    expect(response.headers.getSetCookie()).toEqual([
      'seen=yes; Path=/; HttpOnly; SameSite=Lax',
      'theme=dark; Path=/',
    ]);
  });

  it("answers a Cookie header over Node's 16 KiB header limit with 431, and keeps serving", async () => {
    const { server, calls } = await start();
    const huge = `big=${'x'.repeat(20 * 1024)}`;
    const refused = harness.client(server, '/ws/', [], {
      origin: 'https://app.example.com',
      headers: { cookie: huge },
    });
    expect(await refused.handshake()).toEqual({ kind: 'refused', status: 431 });
    const viaHttp = await within(
      fetch(`${server.url}/`, { headers: { cookie: huge } }),
      'the 431 response',
    );
    expect(viaHttp.status).toBe(431);
    expect(calls()).toBe(0);

    const next = harness.client(server, '/ws/', [], {
      origin: 'https://app.example.com',
      headers: { cookie: 'a=1' },
    });
    expect((await next.handshake()).kind).toBe('open');
    expect(JSON.parse(String(await next.message(0)))).toEqual({ a: '1' });
  });
});
