/// <reference types="node" />
/**
 * The demo as two nodes, two processes as `REDIS_URL=... npm start` runs them, sharing one
 * Redis (under a key prefix of this run's own) and one data folder: chat and presence cross
 * nodes, a sign-out on one node reaches the other node's sockets at once, a signed-out cookie
 * opens nothing on either, and failed sign-ins count on both.
 *
 * A pushed sign-out is told from the sockets' periodic re-verify (every 60 s) by time: every
 * wait here is bounded by room-client's 10 s.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  deleteKeys,
  inspector,
  redisUrl,
  requireRedis,
  uniquePrefix,
} from '../../../packages/server/test/redis-fixtures.js';
import { DemoProcess, processHookTimeoutMs } from './demo-process.js';
import type { RoomClient } from './room-client.js';
import { joinRoom, postForm, sessionCookie } from './room-client.js';

const hasRedis = await requireRedis('the demo on two nodes');

describe.skipIf(!hasRedis)('the demo on two nodes', { timeout: 30_000 }, () => {
  const prefix = uniquePrefix('demo');
  let dataDir: string;
  let nodeA: DemoProcess;
  let nodeB: DemoProcess;
  /** The loopback address each node listens on: a client's Origin must match its host. */
  let a: string;
  let b: string;
  const open: RoomClient[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'wsgate-demo-nodes-'));
    const env = { REDIS_URL: redisUrl, REDIS_PREFIX: prefix };
    // One after the other: the first generates the dev secret in dataDir, the second reads it.
    nodeA = await DemoProcess.start({ dataDir, env });
    nodeB = await DemoProcess.start({ dataDir, env });
    a = nodeA.url.replace('//localhost:', '//127.0.0.1:');
    b = nodeB.url.replace('//localhost:', '//127.0.0.1:');
  }, processHookTimeoutMs);

  afterEach(() => {
    for (const room of open.splice(0)) room.close();
  });

  afterAll(async () => {
    await Promise.all([nodeA?.stop(), nodeB?.stop()]);
    const redis = await inspector();
    try {
      await deleteKeys(redis, prefix);
    } finally {
      redis.destroy();
    }
    await rm(dataDir, { recursive: true, force: true });
  }, processHookTimeoutMs);

  async function enter(base: string, room: string, cookie?: string): Promise<RoomClient> {
    const joined = await joinRoom(base, room, cookie === undefined ? {} : { cookie });
    open.push(joined);
    return joined;
  }

  async function signUp(base: string, username: string): Promise<string> {
    const password = `${username}-password`;
    return sessionCookie(await postForm(base, '/auth/signup', { username, password }));
  }

  async function signIn(base: string, username: string): Promise<string> {
    const password = `${username}-password`;
    return sessionCookie(await postForm(base, '/auth/login', { username, password }));
  }

  async function whoIs(base: string, cookie: string): Promise<unknown> {
    const response = await fetch(`${base}/api/me`, { headers: { cookie } });
    return ((await response.json()) as { user: unknown }).user;
  }

  it('says it runs on Redis, and both nodes report every backend ready', async () => {
    for (const node of [nodeA, nodeB]) {
      expect(node.output).toContain(
        `runs as one of several nodes on Redis at ${redisUrl} (keys under "${prefix}:")`,
      );
    }
    const ready = { kind: 'redis', status: 'ready' };
    for (const base of [a, b]) {
      // The connections are made in the background, so the first answer may be 503.
      await expect
        .poll(async () => (await fetch(`${base}/healthz`)).json() as Promise<unknown>)
        .toMatchObject({
          status: 'ok',
          channelLayer: ready,
          revocationStore: ready,
          loginThrottleStore: ready,
        });
    }
  });

  it('shares users and cookies, and carries chat and presence across nodes', async () => {
    const adaCookie = await signUp(a, 'ada');
    const graceCookie = await signUp(b, 'grace');
    // One database and one secret: each node opens the cookies the other sealed.
    expect(await whoIs(b, adaCookie)).toMatchObject({ username: 'ada' });
    expect(await whoIs(a, graceCookie)).toMatchObject({ username: 'grace' });

    const ada = await enter(a, 'lobby', adaCookie);
    const grace = await enter(b, 'lobby', graceCookie);
    expect(await ada.next('presence', (frame) => frame.joined === 'grace')).toMatchObject({
      members: ['ada', 'grace'],
    });
    expect(
      await grace.next('presence', (frame) => (frame.members as string[]).length === 2),
    ).toMatchObject({ members: ['ada', 'grace'] });

    ada.client.sendJson({ type: 'say', text: 'hello from node A' });
    expect(await grace.next('message')).toMatchObject({ from: 'ada', text: 'hello from node A' });
    grace.client.sendJson({ type: 'say', text: 'hello from node B' });
    expect(await ada.next('message', (frame) => frame.from === 'grace')).toMatchObject({
      text: 'hello from node B',
    });
  });

  it("revokes the session's socket on node B at once when it signs out on node A", async () => {
    const cookie = await signIn(a, 'ada');
    const socket = await enter(b, 'lobby', cookie);
    expect(socket.client.user).toMatchObject({ username: 'ada' });

    const signOut = await postForm(a, '/auth/logout', {}, cookie);
    expect(await signOut.json()).toEqual({ ok: true, user: null });
    // auth.revoked, pushed over the channel layer: the re-verify would come after 60 s.
    expect(await socket.next('client-revoked')).toEqual({
      type: 'client-revoked',
      reason: 'logged out',
    });
    expect(socket.client.user).toBeNull();
    socket.client.sendJson({ type: 'say', text: 'still ada?' });
    expect(await socket.next('client-error')).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('refuses the signed-out cookie on the other node, over HTTP and in a new socket', async () => {
    const cookie = await signIn(a, 'ada');
    await postForm(a, '/auth/logout', {}, cookie);
    expect(await whoIs(b, cookie)).toBeNull();
    // The rooms let guests read, so the cookie opens a socket, as no one.
    const replay = await enter(b, 'lobby', cookie);
    expect(replay.client.user).toBeNull();
    replay.client.sendJson({ type: 'say', text: 'replayed' });
    expect(await replay.next('client-error')).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(await replay.client.whoami()).toBeNull();
  });

  it("signs out everywhere from node A: every one of the user's sockets on node B", async () => {
    const firstBrowser = await signIn(a, 'ada');
    const secondBrowser = await signIn(b, 'ada');
    const sameSession = await enter(b, 'lobby', firstBrowser);
    const otherSession = await enter(b, 'random', secondBrowser);

    const response = await postForm(a, '/auth/logout-everywhere', {}, firstBrowser);
    expect(await response.json()).toEqual({ ok: true, user: null });
    // The session that asked is revoked; the other learns it from the user's group.
    expect(await sameSession.next('client-revoked')).toMatchObject({ reason: 'logged out' });
    expect(await otherSession.next('signed-out')).toMatchObject({
      reason: 'you signed out everywhere',
    });
    expect(await otherSession.client.whoami()).toBeNull();
    for (const base of [a, b]) {
      expect(await whoIs(base, firstBrowser)).toBeNull();
      expect(await whoIs(base, secondBrowser)).toBeNull();
    }
  });

  it('counts failed sign-ins on both nodes together', async () => {
    await signUp(a, 'linus');
    // The limit is 5 failures per account; they alternate between the nodes.
    for (const base of [a, b, a, b, a]) {
      const response = await postForm(base, '/auth/login', { username: 'linus', password: 'no' });
      expect(response.status).toBe(401);
    }
    const locked = await postForm(b, '/auth/login', {
      username: 'linus',
      password: 'linus-password',
    });
    expect(locked.status).toBe(429);
    expect(await locked.json()).toMatchObject({ ok: false, error: { code: 'throttled' } });
  });

  it('stops on SIGTERM, closing its server, Redis connections and database', async () => {
    expect(await nodeA.stop()).toBe(0);
    expect(await nodeB.stop()).toBe(0);
  });
});
