/**
 * socketAuthMiddleware over real sockets: every control message and its reply, malformed
 * control frames, application frames passing untouched, the consumer hearing of new users, and
 * the login throttle closing 4429 with retryAfterMs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LoginThrottle } from '../src/limits/login-throttle.js';
import { Semaphore } from '../src/limits/semaphore.js';
import { Harness } from './adapter-fixtures.js';
import { ProtocolClient, startStack } from './socket-auth-fixtures.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

describe('control messages', () => {
  it('answers whoami on an anonymous socket, and ping with pong', async () => {
    const stack = await startStack(harness);
    const client = await ProtocolClient.open(stack);
    expect(await client.request('auth.whoami')).toEqual({
      type: 'auth.result',
      id: 'r1',
      ok: true,
      user: null,
    });
    expect(await client.request('session.ping')).toEqual({ type: 'session.pong', id: 'r2' });
  });

  it('logs in: session.updated first, then auth.result with the id only', async () => {
    const stack = await startStack(harness);
    const client = await ProtocolClient.open(stack);
    const result = await client.request('auth.login', {
      credentials: { username: 'alice', password: 'wonderland' },
    });
    expect(result).toEqual({ type: 'auth.result', id: 'r1', ok: true, user: { id: '1' } });
    const updated = client.frames.findIndex((frame) => frame.type === 'session.updated');
    expect(updated).toBeGreaterThanOrEqual(0);
    expect(updated).toBeLessThan(client.frames.indexOf(result));
    expect(client.frames[updated]).toMatchObject({ ticket: expect.any(String) });
    expect(client.frames[updated]?.expiresAt).toBeGreaterThan(Date.now());
    expect(await client.request('auth.whoami')).toMatchObject({ ok: true, user: { id: '1' } });
    // The consumer heard of it and its scope says so.
    expect(await client.next('app.auth')).toEqual({ type: 'app.auth', user: '1', reason: 'login' });
    client.send({ type: 'app.who' });
    expect(await client.next('app.who')).toMatchObject({ user: '1' });
  });

  it('serializes users with serializeUser', async () => {
    const stack = await startStack(harness, {
      socket: { serializeUser: (user) => ({ id: user.id, name: user.username }) },
    });
    const client = await ProtocolClient.open(stack);
    const result = await client.request('auth.login', {
      credentials: { username: 'bob', password: 'builder' },
    });
    expect(result.user).toEqual({ id: '2', name: 'bob' });
  });

  it('answers a wrong password and an unknown user identically', async () => {
    const stack = await startStack(harness);
    const client = await ProtocolClient.open(stack);
    const wrong = await client.request('auth.login', {
      credentials: { username: 'alice', password: 'nope' },
    });
    const unknown = await client.request('auth.login', {
      credentials: { username: 'mallory', password: 'nope' },
    });
    expect({ ...wrong, id: 'same' }).toEqual({ ...unknown, id: 'same' });
    expect(wrong).toEqual({
      id: 'r1',
      type: 'auth.result',
      ok: false,
      error: { code: 'INVALID_CREDENTIALS', message: 'wrong username or password' },
    });
    expect(client.types()).not.toContain('session.updated');
  });

  it('logs out: session.updated, then auth.result with no user; the consumer is told', async () => {
    const stack = await startStack(harness);
    const client = await ProtocolClient.open(stack);
    await client.request('auth.login', {
      credentials: { username: 'alice', password: 'wonderland' },
    });
    const before = client.frames.length;
    const result = await client.request('auth.logout');
    expect(result).toEqual({ type: 'auth.result', id: 'r2', ok: true, user: null });
    expect(client.frames.slice(before).map((frame) => frame.type)).toEqual(
      expect.arrayContaining(['session.updated']),
    );
    const updated = client.frames.slice(before).find((frame) => frame.type === 'session.updated');
    expect(updated?.expiresAt).toBe(0);
    await client.waitFor((frame) => frame.reason === 'logout', 'the consumer to hear the logout');
    // Nobody else had this session, so no socket was told it was revoked.
    expect(client.types()).not.toContain('auth.revoked');
  });

  it('refreshes: a new ticket with a later expiry, and the same user', async () => {
    const stack = await startStack(harness);
    const client = await ProtocolClient.open(stack);
    await client.request('auth.login', {
      credentials: { username: 'alice', password: 'wonderland' },
    });
    const first = await client.next('session.updated');
    const before = client.frames.length;
    const result = await client.request('session.refresh');
    expect(result).toMatchObject({ ok: true, user: { id: '1' } });
    const second = client.frames.slice(before).find((frame) => frame.type === 'session.updated');
    expect(second?.ticket).not.toBe(first.ticket);
    expect(second?.expiresAt).toBeGreaterThanOrEqual(first.expiresAt as number);
  });
});

describe('frames that are not valid control messages', () => {
  it('passes application frames untouched, text and binary', async () => {
    const stack = await startStack(harness);
    const client = await ProtocolClient.open(stack);
    client.send({ type: 'chat.message', text: 'auth. session. "error"' });
    expect(await client.waitFor((frame) => 'echo' in frame, 'the echo')).toEqual({
      echo: { type: 'chat.message', text: 'auth. session. "error"' },
    });
    client.send('["auth.login"]');
    expect(await client.waitFor((frame) => Array.isArray(frame.echo), 'the array echo')).toEqual({
      echo: ['auth.login'],
    });
  });

  it('answers malformed and unknown control messages with error, echoing the id', async () => {
    const stack = await startStack(harness);
    const client = await ProtocolClient.open(stack);
    client.send({ type: 'auth.login', id: 'x1' });
    expect(await client.next('error')).toEqual({
      type: 'error',
      id: 'x1',
      code: 'BAD_MESSAGE',
      message: 'auth.login: `credentials` is required',
    });
    client.send({ type: 'auth.hack', id: 'x2' });
    expect(await client.waitFor((frame) => frame.id === 'x2', 'the second error')).toMatchObject({
      type: 'error',
      code: 'UNKNOWN_TYPE',
    });
    client.send({ type: 'auth.whoami' });
    const third = await client.waitFor(
      (frame) => frame.type === 'error' && frame.id === undefined,
      'an error without id',
    );
    expect(third.code).toBe('BAD_MESSAGE');
    // The socket is still usable.
    expect(await client.request('auth.whoami')).toMatchObject({ ok: true });
  });

  it('closes 4400 after repeated invalid control messages, saying why first', async () => {
    const stack = await startStack(harness, { socket: { maxInvalidFrames: 3 } });
    const client = await ProtocolClient.open(stack);
    for (let i = 0; i < 3; i += 1) client.send({ type: 'session.bogus', id: i });
    expect((await client.closed).code).toBe(4400);
    expect(client.types()).toEqual(['error', 'error', 'auth.error']);
    expect(client.frames[2]).toMatchObject({
      code: 4400,
      message: expect.stringMatching(/3 malformed/),
    });
  });
});

describe('login throttling', () => {
  it('closes 4429 with retryAfterMs once an account has too many failures', async () => {
    const loginThrottle = new LoginThrottle({ maxFailuresPerAccount: 2, lockoutMs: 30_000 });
    const stack = await startStack(harness, { socket: { loginThrottle } });
    const client = await ProtocolClient.open(stack);
    const wrong = { credentials: { username: 'Alice ', password: 'nope' } };
    expect(await client.request('auth.login', wrong)).toMatchObject({ ok: false });
    expect(await client.request('auth.login', wrong)).toMatchObject({ ok: false });
    client.send({
      type: 'auth.login',
      id: 'r3',
      credentials: { username: 'alice', password: 'wonderland' },
    });
    expect((await client.closed).code).toBe(4429);
    const error = await client.next('auth.error');
    expect(error.code).toBe(4429);
    expect(error.retryAfterMs).toBeGreaterThan(25_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(30_000);
    // Counted across reconnects: a new socket is refused too.
    const again = await ProtocolClient.open(stack);
    again.send({
      type: 'auth.login',
      id: 1,
      credentials: { username: 'alice', password: 'wonderland' },
    });
    expect((await again.closed).code).toBe(4429);
  });

  it('lets no more parallel guesses through than the limit runs at once', async () => {
    const loginThrottle = new LoginThrottle({
      maxFailuresPerAccount: 3,
      maxFailuresPerAddress: 100,
    });
    const authenticateLimit = new Semaphore(1);
    const stack = await startStack(harness, { socket: { loginThrottle, authenticateLimit } });
    const clients = await Promise.all(Array.from({ length: 10 }, () => ProtocolClient.open(stack)));
    const wrong = { type: 'auth.login', id: 1, credentials: { username: 'bob', password: 'x' } };
    for (const client of clients) client.send(wrong);
    const outcomes = await Promise.all(
      clients.map((client) =>
        client.waitFor((frame) => frame.id === 1 || frame.type === 'auth.error', 'an answer'),
      ),
    );
    const refused = outcomes.filter((frame) => frame.type === 'auth.error');
    expect(outcomes.length - refused.length).toBe(3);
    expect(refused.every((frame) => frame.code === 4429)).toBe(true);
  });
});
