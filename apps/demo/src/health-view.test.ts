/// <reference types="node" />
/**
 * GET /healthz over real HTTP, against the demo's real backends: embedded ones (ready while
 * the database is open) and Redis ones pointed at a port where nothing listens (an outage
 * from the start, without stopping anyone's Redis).
 */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { protocolTypeRouter, serve } from '@wsgate/server';
import type { RunningServer } from '@wsgate/server';
import { afterEach, describe, expect, it } from 'vitest';
import { chooseBackends } from './backends.js';
import type { Backends } from './backends.js';
import { openDatabase } from './database.js';
import type { DemoDatabase } from './database.js';
import { healthView } from './health-view.js';

let server: RunningServer | undefined;
let backends: Backends | undefined;
let db: DemoDatabase | undefined;

afterEach(async () => {
  await server?.close();
  await backends?.close();
  if (db?.open) db.close();
  server = backends = db = undefined;
});

/** Serves /healthz for the backends `env` chooses; its URL. */
async function healthz(env: NodeJS.ProcessEnv): Promise<string> {
  db = openDatabase(':memory:');
  backends = chooseBackends(env, db);
  server = await serve(protocolTypeRouter({ http: healthView(backends.health) }));
  return `${server.url}/healthz`;
}

/** A loopback port that nothing listens on (taken from the OS, then given back). */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('GET /healthz', () => {
  it('is 200 ok with every backend ready, never cached', async () => {
    const response = await fetch(await healthz({}));
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({
      status: 'ok',
      channelLayer: { kind: 'memory', status: 'ready', lastError: null },
      revocationStore: { kind: 'sqlite', status: 'ready', lastError: null },
      loginThrottleStore: { kind: 'memory', status: 'ready', lastError: null },
    });
  });

  it('is 503 naming the backend that is not ready', async () => {
    const url = await healthz({});
    db?.close();
    const response = await fetch(url);
    expect(response.status).toBe(503);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toMatchObject({
      status: 'unavailable',
      unavailable: ['revocationStore'],
      channelLayer: { status: 'ready' },
      revocationStore: { kind: 'sqlite', status: 'closed' },
    });
  });

  it('is 503 with the connection error while Redis cannot be reached', async () => {
    const url = await healthz({ REDIS_URL: `redis://:hunter2@127.0.0.1:${await closedPort()}` });
    const backend = { kind: 'redis', status: 'connecting', lastError: /ECONNREFUSED/ };
    // The first attempt fails within milliseconds; the poll is bounded, not a sleep.
    await expect
      .poll(async () => (await fetch(url)).json() as Promise<unknown>, { timeout: 5000 })
      .toMatchObject({
        status: 'unavailable',
        unavailable: ['channelLayer', 'revocationStore', 'loginThrottleStore'],
        channelLayer: backend,
        revocationStore: backend,
        loginThrottleStore: backend,
      });
    const response = await fetch(url);
    expect(response.status).toBe(503);
    expect(await response.text()).not.toContain('hunter2');
  });

  it('answers HEAD like GET, without a body, and other methods 405', async () => {
    const url = await healthz({});
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const response = await fetch(url, { method });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('GET, HEAD');
    }
  });
});
