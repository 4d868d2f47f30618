/// <reference types="node" />
/**
 * Faults under the demo on two nodes: two processes as `REDIS_URL=... npm start` runs them, on
 * a redis-server of this file's own (so it can be killed) and one data folder.
 *
 * - Redis stops mid-run: the sockets on both nodes stay up, /healthz answers 503 naming the
 *   channel layer, each node prints the outage, a chat message gets an error back to its
 *   sender; Redis returns (empty) and chat crosses the nodes again by itself.
 * - A node is killed: clients behind a load balancer reconnect to the other node and are signed
 *   in again from their cookie, and chat goes on.
 *
 * The demo's Redis calls give up after their 5 s commandTimeout, so the error for the message
 * sent during the outage takes that long; every other wait is for an event, bounded.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@wsgate/client';
import type { WsgateClient, WsgateClientError } from '@wsgate/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { requirePrivateRedis, startPrivateRedis } from '../../../test-support/private-redis.js';
import type { PrivateRedis } from '../../../test-support/private-redis.js';
import { startTcpBalancer } from '../../../test-support/tcp-balancer.js';
import type { TcpBalancer } from '../../../test-support/tcp-balancer.js';
import { DemoProcess, processHookTimeoutMs } from './demo-process.js';
import type { RoomClient } from './room-client.js';
import { joinRoom, postForm, sessionCookie } from './room-client.js';

const canRun = requirePrivateRedis('the demo fault tests (Redis outage, a killed node)');

/** Room-client's bound for frames; the same here for events and output. */
const waitMs = 10_000;

describe.skipIf(!canRun)('the demo on two nodes, under faults', { timeout: 60_000 }, () => {
  let redis: PrivateRedis;
  let dataDir: string;
  let nodeA: DemoProcess;
  let nodeB: DemoProcess;
  let a: string;
  let b: string;
  let balancer: TcpBalancer | undefined;
  const rooms: RoomClient[] = [];
  const clients: WsgateClient[] = [];

  beforeAll(async () => {
    redis = await startPrivateRedis();
    dataDir = await mkdtemp(join(tmpdir(), 'wsgate-demo-faults-'));
    const env = { REDIS_URL: redis.url, REDIS_PREFIX: 'faults' };
    // One after the other: the first generates the dev secret in dataDir, the second reads it.
    nodeA = await DemoProcess.start({ dataDir, env });
    nodeB = await DemoProcess.start({ dataDir, env });
    // A client's Origin must name an allowed host, and the demo prints "localhost".
    a = nodeA.url.replace('//localhost:', '//127.0.0.1:');
    b = nodeB.url.replace('//localhost:', '//127.0.0.1:');
    await postForm(a, '/auth/signup', { username: 'ada', password: 'ada-password' });
    await postForm(b, '/auth/signup', { username: 'grace', password: 'grace-password' });
  }, processHookTimeoutMs);

  afterEach(() => {
    for (const room of rooms.splice(0)) room.close();
    for (const client of clients.splice(0)) client.close();
  });

  afterAll(async () => {
    await balancer?.close();
    await Promise.all([nodeA?.stop(), nodeB?.stop()]);
    await redis?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }, processHookTimeoutMs);

  /** Waits until GET /healthz answers `status`; returns its body. */
  async function expectHealth(base: string, status: number): Promise<Record<string, unknown>> {
    let body: Record<string, unknown> = {};
    await expect
      .poll(
        async () => {
          const response = await fetch(`${base}/healthz`);
          body = (await response.json()) as Record<string, unknown>;
          return response.status;
        },
        { timeout: waitMs, message: `${base}/healthz to answer ${status}` },
      )
      .toBe(status);
    return body;
  }

  /** Waits until the node has printed a line matching `pattern`. */
  async function expectOutput(node: DemoProcess, pattern: RegExp): Promise<void> {
    await expect
      .poll(() => node.output, { timeout: waitMs, message: `a line matching ${String(pattern)}` })
      .toMatch(pattern);
  }

  async function signIn(base: string, username: string): Promise<string> {
    const password = `${username}-password`;
    return sessionCookie(await postForm(base, '/auth/login', { username, password }));
  }

  async function enter(base: string, username: string): Promise<RoomClient> {
    const room = await joinRoom(base, 'lobby', { cookie: await signIn(base, username) });
    rooms.push(room);
    return room;
  }

  it('keeps the sockets up through a Redis outage, says so, and recovers by itself', async () => {
    // The nodes connect to Redis in the background.
    for (const base of [a, b]) await expectHealth(base, 200);
    const ada = await enter(a, 'ada');
    const grace = await enter(b, 'grace');
    ada.client.sendJson({ type: 'say', text: 'before' });
    expect(await grace.next('message')).toMatchObject({ from: 'ada', text: 'before' });

    await redis.stop();
    for (const base of [a, b]) {
      const health = await expectHealth(base, 503);
      expect(health).toMatchObject({
        status: 'unavailable',
        unavailable: expect.arrayContaining(['channelLayer']),
        channelLayer: { kind: 'redis', status: 'reconnecting', lastError: expect.any(String) },
      });
    }
    for (const node of [nodeA, nodeB]) {
      await expectOutput(node, /RedisChannelLayer cannot reach Redis at redis:\/\/127\.0\.0\.1/);
    }
    // Open sockets stay open, and what needs no Redis still answers.
    expect(await ada.client.whoami()).toMatchObject({ username: 'ada' });
    expect(await grace.client.whoami()).toMatchObject({ username: 'grace' });

    // A message for the room cannot reach it: its sender is told, after the commandTimeout;
    // a sign-in (its throttle is in Redis) meanwhile gets a 503 that says to try again.
    const signingIn = postForm(b, '/auth/login', { username: 'ada', password: 'ada-password' });
    ada.client.sendJson({ type: 'say', text: 'during' });
    const refused = await signingIn;
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(await refused.json()).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(await ada.next('client-error')).toMatchObject({
      code: 'LAYER_UNAVAILABLE',
      message: expect.stringMatching(/may not have been delivered; send it again/),
    });
    expect([ada.client.state, grace.client.state]).toEqual(['open', 'open']);

    await redis.start();
    for (const base of [a, b]) await expectHealth(base, 200);
    for (const node of [nodeA, nodeB]) {
      await expectOutput(node, /RedisChannelLayer reached Redis at .* again after/);
      // Redis came back empty: the rooms exist again only because each node wrote them back.
      await expectOutput(node, /RedisChannelLayer wrote back the group memberships/);
    }
    ada.client.sendJson({ type: 'say', text: 'after' });
    expect(await grace.next('message')).toMatchObject({ from: 'ada', text: 'after' });
    grace.client.sendJson({ type: 'say', text: 'welcome back' });
    expect(await ada.next('message', (frame) => frame.from === 'grace')).toMatchObject({
      text: 'welcome back',
    });
    // The message of the outage was refused, not delivered late.
    expect(grace.pending.filter((frame) => frame.text === 'during')).toEqual([]);
    expect([ada.client.state, grace.client.state]).toEqual(['open', 'open']);
  });

  it('moves the clients of a killed node to the other, signed in from their cookie', async () => {
    // The balancer sends everyone to node A first; node B joins the pool before A dies.
    balancer = await startTcpBalancer([nodeA.port]);
    const front = balancer.url;
    const people = ['ada', 'grace'] as const;
    // Signed in on node A directly, so that the balancer carries nothing but the two sockets.
    const watched = await Promise.all(
      people.map(async (username) => watch(front, await signIn(a, username))),
    );
    for (const [index, each] of watched.entries()) {
      const { user } = await each.event('open', () => true, 'the first connection');
      expect(user).toMatchObject({ username: people[index] });
    }
    expect(balancer.openTo(nodeA.port)).toBe(2);
    balancer.backends = [nodeA.port, nodeB.port];

    await nodeA.kill();
    for (const [index, each] of watched.entries()) {
      const { user } = await each.event('open', () => true, 'a connection to node B');
      expect(user).toMatchObject({ username: people[index] });
      expect(await each.client.whoami()).toMatchObject({ username: people[index] });
      expect(each.client.state).toBe('open');
    }
    expect(balancer.openTo(nodeB.port)).toBe(2);

    const [ada, grace] = watched as [Watched, Watched];
    ada.client.sendJson({ type: 'say', text: 'still here' });
    expect(await grace.frame((frame) => frame.text === 'still here')).toMatchObject({
      type: 'message',
      from: 'ada',
    });
    for (const each of watched) {
      expect(each.closes.every((close) => close.willReconnect)).toBe(true);
      expect(each.errors).toEqual([]);
    }
  });

  interface Watched {
    readonly client: WsgateClient;
    readonly closes: Array<{ code: number; willReconnect: boolean }>;
    readonly errors: WsgateClientError[];
    /** The next `open` event (after those already taken) matching `where`; bounded. */
    event(
      name: 'open',
      where: (payload: { user: unknown }) => boolean,
      what: string,
    ): Promise<{ user: unknown }>;
    /** The first chat frame (already received or coming) matching `where`; bounded. */
    frame(where: (frame: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  }

  /** A reconnecting client in the lobby through `base`, its events kept for the waits above. */
  function watch(base: string, cookie: string): Watched {
    const client = createClient({
      url: `${base}/ws/chat/lobby/`,
      headers: { origin: base, cookie },
      // Quick retries: the other node is up, only the dead one needs skipping.
      reconnect: { baseMs: 100, capMs: 1000 },
    });
    clients.push(client);
    const opens: Array<{ user: unknown }> = [];
    const frames: Array<Record<string, unknown>> = [];
    const wakers = new Set<() => void>();
    const wake = () => {
      for (const waker of wakers) waker();
    };
    const closes: Watched['closes'] = [];
    const errors: WsgateClientError[] = [];
    client.on('open', (payload) => {
      opens.push(payload);
      wake();
    });
    client.on('message', (data) => {
      if (typeof data === 'string') frames.push(JSON.parse(data) as Record<string, unknown>);
      wake();
    });
    client.on('close', ({ code, willReconnect }) => closes.push({ code, willReconnect }));
    client.on('error', (error) => errors.push(error));

    /** Resolves with what `find` finds, as soon as it finds something; bounded. */
    const until = <T>(find: () => T | undefined, what: string): Promise<T> =>
      new Promise<T>((resolve, reject) => {
        const look = () => {
          const found = find();
          if (found === undefined) return;
          done();
          resolve(found);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no ${what} within ${waitMs} ms (state ${client.state})`));
        }, waitMs);
        const done = () => {
          clearTimeout(timer);
          wakers.delete(look);
        };
        wakers.add(look);
        look();
      });

    return {
      client,
      closes,
      errors,
      event: (_name, where, what) =>
        until(() => {
          const index = opens.findIndex(where);
          return index < 0 ? undefined : opens.splice(index, 1)[0];
        }, what),
      frame: (where) => until(() => frames.find(where), 'matching chat frame'),
    };
  }
});
