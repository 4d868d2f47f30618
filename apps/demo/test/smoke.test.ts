/// <reference types="node" />
/**
 * What `npm start` gives a new user, end to end against the real process: it starts on
 * embedded defaults, serves the page, signs up over HTTP, signs in inside the socket, chats,
 * stops on SIGTERM, and keeps its users across a restart.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoProcess } from './demo-process.js';
import { joinRoom, postForm, sessionCookie } from './room-client.js';

describe('the demo, as npm start runs it', { timeout: 60_000 }, () => {
  let dataDir: string;
  let demo: DemoProcess;
  /** The loopback address the demo listens on: the client's Origin must match its host. */
  let base: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'wsgate-demo-'));
    // Embedded defaults, even when the environment running the tests sets REDIS_URL.
    demo = await DemoProcess.start({ dataDir, env: { REDIS_URL: '' } });
    base = demo.url.replace('//localhost:', '//127.0.0.1:');
  });

  afterAll(async () => {
    await demo?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('starts on embedded defaults, says what it generated, and prints the URL', async () => {
    expect(demo.url).toMatch(/^http:\/\/localhost:\d+$/);
    expect(demo.output).toContain('SESSION_SECRET is not set');
    expect(demo.output).toContain('wsgate demo runs as a single node');
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('wsgate');
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({
      status: 'ok',
      channelLayer: { kind: 'memory', status: 'ready' },
      revocationStore: { kind: 'sqlite', status: 'ready' },
      loginThrottleStore: { kind: 'memory', status: 'ready' },
    });
  });

  it('signs up over HTTP, signs in inside the socket, chats, and stops', async () => {
    const signUp = await postForm(base, '/auth/signup', {
      username: 'ada',
      password: 'lovelace-1815',
    });
    expect(signUp.status).toBe(200);
    expect(await signUp.json()).toMatchObject({ ok: true, user: { username: 'ada' } });
    const cookie = sessionCookie(signUp);
    const me = await fetch(`${base}/api/me`, { headers: { cookie } });
    expect(await me.json()).toMatchObject({ user: { username: 'ada' } });

    // Ada's socket opens signed in, from the cookie the HTTP sign-up set.
    const ada = await joinRoom(base, 'lobby', { cookie });
    expect(ada.client.user).toMatchObject({ username: 'ada' });
    await postForm(base, '/auth/signup', { username: 'grace', password: 'hopper-1906' });

    // Grace opens as a guest, reads, may not post, then signs in over the socket.
    const grace = await joinRoom(base, 'lobby');
    expect(grace.client.user).toBeNull();
    ada.client.sendJson({ type: 'say', text: 'hello, lobby' });
    expect(await grace.next('message')).toMatchObject({ from: 'ada', text: 'hello, lobby' });
    grace.client.sendJson({ type: 'say', text: 'may I?' });
    expect(await grace.next('client-error')).toMatchObject({ code: 'UNAUTHENTICATED' });

    const user = await grace.client.login({ username: 'grace', password: 'hopper-1906' });
    expect(user).toMatchObject({ username: 'grace' });
    grace.client.sendJson({ type: 'say', text: 'now I may' });
    expect(await ada.next('message', (frame) => frame.from === 'grace')).toMatchObject({
      text: 'now I may',
    });
    ada.close();
    grace.close();

    expect(await demo.stop()).toBe(0);
  });

  it('keeps its users across a restart', async () => {
    await demo.restart();
    const signIn = await postForm(base, '/auth/login', {
      username: 'ADA',
      password: 'lovelace-1815',
    });
    expect(await signIn.json()).toMatchObject({ ok: true, user: { username: 'ada' } });
    const again = await postForm(base, '/auth/signup', {
      username: 'Ada',
      password: 'another-one',
    });
    expect(again.status).toBe(409);
  });
});
