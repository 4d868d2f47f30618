/**
 * Limits over real sockets: connection limits per user and per address refuse with 4429 and
 * an `auth.error` a browser can read, a flooding client is closed 4429 while others carry on,
 * counts come back to zero however connections end, and a login flood with real password
 * hashing under a Semaphore does not stall session handshakes.
 */
import { randomBytes, scrypt } from 'node:crypto';
import type { Application, Scope, ScopeUser, WithSession, WithUser } from '@wsgate/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { Semaphore } from '../src/limits/semaphore.js';
import { rateLimitMiddleware } from '../src/limits/rate-limit-middleware.js';
import type { RateLimitOptions } from '../src/limits/rate-limit-middleware.js';
import { route } from '../src/routing/route.js';
import { urlRouter } from '../src/routing/url-router.js';
import { newSessionId, sealSession } from '../src/sessions/seal-session.js';
import { createSessionCodec } from '../src/sessions/session-codec.js';
import { sessionMiddlewareStack } from '../src/sessions/session-middleware-stack.js';
import { deferred, Harness, RecordingLogger, within } from './adapter-fixtures.js';
import type { TestClient } from './adapter-fixtures.js';
import { sessionPassword } from './fixtures/users.js';

const harness = new Harness();

afterEach(async () => {
  await harness.cleanup();
});

/** Echoes text frames; `boom` makes it throw (the adapter then closes 1011). */
const echo: Application = async (scope, receive, send) => {
  for (;;) {
    const event = await receive();
    if (event.type === 'websocket.connect') await send({ type: 'websocket.accept' });
    else if (event.type === 'websocket.receive') {
      if (event.text === 'boom') throw new Error('boom');
      await send({ type: 'websocket.send', text: event.text ?? '' });
    } else return;
  }
};

/** Puts the user named in `?user=` on the scope, as the auth stack would from a cookie. */
function withQueryUser(inner: Application<Scope & WithUser>): Application {
  return (scope, receive, send) => {
    const name = new URLSearchParams(scope.queryString).get('user');
    const user: ScopeUser =
      name === null ? { id: null, isAuthenticated: false } : { id: name, isAuthenticated: true };
    return inner({ ...scope, user }, receive, send);
  };
}

/** Counts server-side connections still running (past the rate limiter), and waits for none. */
class Running {
  #count = 0;
  #idle = deferred();

  wrap(app: Application): Application {
    return async (scope, receive, send) => {
      this.#count += 1;
      try {
        await app(scope, receive, send);
      } finally {
        this.#count -= 1;
        if (this.#count === 0) this.#idle.resolve();
      }
    };
  }

  async none(): Promise<void> {
    if (this.#count > 0) await within(this.#idle.promise, 'every connection to end');
    this.#idle = deferred();
  }
}

async function startLimited(options: RateLimitOptions) {
  const running = new Running();
  const logger = new RecordingLogger();
  const app = running.wrap(withQueryUser(rateLimitMiddleware(echo, { ...options, logger })));
  const server = await harness.start(app, { logger });
  return { server, running, logger };
}

async function opened(client: TestClient): Promise<TestClient> {
  expect((await client.handshake()).kind).toBe('open');
  return client;
}

async function echoes(client: TestClient, text: string): Promise<void> {
  const next = client.messages.length;
  client.ws.send(text);
  expect(await client.message(next)).toBe(text);
}

/** Open and served: a refusal completes the upgrade too, so only an echo tells them apart. */
async function accepted(client: TestClient): Promise<TestClient> {
  await opened(client);
  await echoes(client, 'ping');
  return client;
}

/** A refusal as a browser sees it: the upgrade completes, `auth.error` arrives, then close 4429. */
async function expectRefused(client: TestClient, message: string): Promise<void> {
  expect((await client.handshake()).kind).toBe('open');
  expect(JSON.parse((await client.message(0)) as string)).toEqual({
    type: 'auth.error',
    code: 4429,
    message,
  });
  expect(await client.close()).toEqual({ code: 4429, reason: message });
}

describe('connection limits', () => {
  it('refuses a user over maxConnectionsPerUser with auth.error and 4429, while another user connects', async () => {
    const { server } = await startLimited({ maxConnectionsPerUser: 2 });
    const alice = [harness.client(server, '/?user=alice'), harness.client(server, '/?user=alice')];
    for (const client of alice) await accepted(client);
    await expectRefused(
      harness.client(server, '/?user=alice'),
      'too many connections for this user (limit 2)',
    );
    const bob = await accepted(harness.client(server, '/?user=bob'));
    await echoes(bob, 'hello');
    for (const client of alice) await echoes(client, 'still here');
  });

  it('refuses an address over maxConnectionsPerAddress, signed in or not, while another address connects', async () => {
    const { server } = await startLimited({ maxConnectionsPerAddress: 2 });
    await accepted(harness.client(server, '/'));
    await accepted(harness.client(server, '/?user=alice'));
    await expectRefused(
      harness.client(server, '/?user=bob'),
      'too many connections from this address (limit 2)',
    );
    const elsewhere = harness.client(server, '/', [], { localAddress: '127.0.0.2' });
    await accepted(elsewhere);
    await echoes(elsewhere, 'from another address');
  });
});

describe('message limits', () => {
  it('closes a flooding client 4429 after auth.error with retryAfterMs, while a calm client keeps working', async () => {
    const { server, logger } = await startLimited({ messagesPerSecond: 1, burst: 5 });
    const calm = await accepted(harness.client(server, '/?user=bob'));
    const flooder = await accepted(harness.client(server, '/?user=mallory'));
    await echoes(calm, 'before');
    for (let i = 0; i < 50; i += 1) flooder.ws.send(String(i));
    const { code } = await flooder.close();
    expect(code).toBe(4429);

    const last = JSON.parse(flooder.messages.at(-1) as string) as Record<string, unknown>;
    expect(last).toMatchObject({ type: 'auth.error', code: 4429 });
    expect(last.retryAfterMs).toBeGreaterThan(0);
    const echoed = flooder.messages.slice(1, -1); // after the ping
    // The rest of the burst went through in order, and nothing past the limit reached the app.
    expect(echoed.length).toBeGreaterThanOrEqual(4);
    expect(echoed.length).toBeLessThan(50);
    expect(echoed).toEqual(echoed.map((_, i) => String(i)));
    await logger.waitFor('websocket closed 4429: too many messages');

    await echoes(calm, 'after');
  });

  it("closes the connection that takes a user over their aggregate rate, and leaves other users' alone", async () => {
    const { server } = await startLimited({
      messagesPerSecond: 100,
      userMessagesPerSecond: 1,
      userBurst: 8,
    });
    const first = await accepted(harness.client(server, '/?user=alice'));
    const second = await accepted(harness.client(server, '/?user=alice'));
    const bob = await accepted(harness.client(server, '/?user=bob'));
    for (const text of ['1', '2', '3']) await echoes(first, text);
    for (let i = 0; i < 20; i += 1) second.ws.send(String(i));
    expect((await second.close()).code).toBe(4429);
    expect(JSON.parse(second.messages.at(-1) as string)).toMatchObject({
      type: 'auth.error',
      code: 4429,
      message: expect.stringContaining('across connections') as string,
    });
    for (const text of ['a', 'b', 'c', 'd', 'e']) await echoes(bob, text);
    expect(first.ws.readyState).toBe(first.ws.OPEN);
  });
});

describe('counts', () => {
  it('come back to zero however connections end: closed, thrown, flooded, refused', async () => {
    const limits = { maxConnectionsPerUser: 2, maxConnectionsPerAddress: 4, burst: 3 };
    const { server, running } = await startLimited(limits);

    const fill = async () => {
      const clients = [
        await accepted(harness.client(server, '/?user=alice')),
        await accepted(harness.client(server, '/?user=alice')),
        await accepted(harness.client(server, '/')),
        await accepted(harness.client(server, '/?user=bob')),
      ];
      // Exactly full: one more of alice, or one more from this address, is refused.
      await expectRefused(
        harness.client(server, '/?user=alice'),
        'too many connections for this user (limit 2)',
      );
      await expectRefused(
        harness.client(server, '/?user=carol'),
        'too many connections from this address (limit 4)',
      );
      return clients;
    };

    const [closed, thrower, flooder, terminated] = (await fill()) as [
      TestClient,
      TestClient,
      TestClient,
      TestClient,
    ];
    closed.ws.close(1000);
    thrower.ws.send('boom');
    for (let i = 0; i < 10; i += 1) flooder.ws.send(String(i));
    terminated.terminate();
    expect((await thrower.close()).code).toBe(1011);
    expect((await flooder.close()).code).toBe(4429);
    await closed.close();
    await running.none();

    // Each was released exactly once: the same connections fit again, and no more.
    await fill();
  });
});

/** scrypt at a realistic cost (N = 2^14, 16 MiB): ~tens of ms on libuv's thread pool. */
function hashPassword(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, 32, { N: 2 ** 14, r: 8, p: 1 }, (error, key) => {
      if (error) reject(error);
      else resolve(key);
    });
  });
}

describe('a login flood', () => {
  it('100 parallel logins while new handshakes keep completing', { timeout: 120_000 }, async () => {
    const logins = 100;
    const handshakes = 8;
    const hashing = new Semaphore(2, { maxQueued: logins });
    const salt = randomBytes(16);
    let submitted = 0;
    let completed = 0;
    const allSubmitted = deferred();
    const allCompleted = deferred();

    // The logins: every frame is an authenticate call, all in flight at once, hashed under the
    // Semaphore as socketAuthMiddleware's authenticate would be.
    const login: Application = async (scope, receive, send) => {
      const inFlight: Array<Promise<void>> = [];
      for (;;) {
        const event = await receive();
        if (event.type === 'websocket.connect') await send({ type: 'websocket.accept' });
        else if (event.type === 'websocket.receive') {
          const id = event.text ?? '';
          const answer = hashing
            .run(() => hashPassword(`password-${id}`, salt))
            .then(
              () => `ok ${id}`,
              (error: Error) => `failed ${id}: ${error.message}`,
            );
          inFlight.push(
            answer.then(async (text) => {
              completed += 1;
              if (completed === logins) allCompleted.resolve();
              await send({ type: 'websocket.send', text });
            }),
          );
          submitted += 1;
          if (submitted === logins) allSubmitted.resolve();
        } else break;
      }
      await Promise.all(inFlight);
    };

    // The handshakes: each opens its own session seal (no cache hit), whose key derivation runs
    // on the same thread pool as scrypt.
    const greet: Application<Scope & WithSession> = async (scope, receive, send) => {
      await receive();
      await send({ type: 'websocket.accept' });
      await send({ type: 'websocket.send', text: String(scope.session.get('n')) });
      await receive();
    };
    const app = urlRouter([
      route('/login/', login),
      route('/ws/', sessionMiddlewareStack(greet, { password: sessionPassword })),
    ]);
    const server = await harness.start(app);

    const codec = createSessionCodec(sessionPassword);
    const cookies = await Promise.all(
      Array.from({ length: handshakes }, async (_, n) => {
        const { seal } = await sealSession(codec, { id: newSessionId(), data: { n } }, 3600);
        return `wsgate.session=${seal}`;
      }),
    );

    const loginClients = await Promise.all(
      Array.from({ length: 10 }, () => opened(harness.client(server, '/login/'))),
    );
    loginClients.forEach((client, c) => {
      for (let i = 0; i < logins / 10; i += 1) client.ws.send(`${c}-${i}`);
    });
    await within(allSubmitted.promise, 'every login to reach the server');

    const completedAtHandshake: number[] = [];
    for (const [n, cookie] of cookies.entries()) {
      const client = harness.client(server, '/ws/', [], { headers: { cookie } });
      await opened(client);
      expect(await client.message(0)).toBe(String(n));
      completedAtHandshake.push(completed);
      client.ws.close();
    }
    // Every handshake, session unseal included, finished while logins were still hashing.
    expect(completedAtHandshake.at(-1)).toBeLessThan(logins);

    await within(allCompleted.promise, 'every login to finish', 100_000);
    // None was refused or lost: every client gets all its answers, all successes.
    for (const client of loginClients) await client.message(logins / 10 - 1);
    const answers = loginClients.flatMap((client) => client.messages);
    expect(answers.filter((text) => !String(text).startsWith('ok '))).toEqual([]);
  });
});
