/**
 * The session around in-socket logins, over real sockets: the ticket exchange that makes a
 * socket login survive a reload, logout reaching the other sockets of the session (on this
 * node and through a shared channel layer), replayed cookies and tickets refused.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InMemoryChannelLayer } from '../src/layers/in-memory-channel-layer.js';
import { InMemoryRevocationStore } from '../src/sessions/in-memory-revocation-store.js';
import type { RevocationStore } from '../src/sessions/revocation-store.js';
import { Harness, httpRequest } from './adapter-fixtures.js';
import {
  ProtocolClient,
  logInAndExchange,
  postTicket,
  setCookieOf,
  startStack,
} from './socket-auth-fixtures.js';

const harness = new Harness();
afterEach(async () => {
  vi.useRealTimers();
  await harness.cleanup();
});

describe('the ticket exchange', () => {
  it('turns a socket login into a cookie that logs in a new connection (a reload)', async () => {
    const stack = await startStack(harness);
    const client = await ProtocolClient.open(stack);
    const { response, cookie } = await logInAndExchange(stack, client);
    expect(response.status).toBe(204);
    expect(setCookieOf(response)).toMatch(
      /^wsgate\.session=Fe26\.2\*.*; Max-Age=\d+; Path=\/; Expires=.*; HttpOnly; SameSite=Lax$/,
    );
    const reloaded = await ProtocolClient.open(stack, cookie);
    expect(await reloaded.request('auth.whoami')).toMatchObject({ ok: true, user: { id: '1' } });
    reloaded.send({ type: 'app.who' });
    expect(await reloaded.next('app.who')).toMatchObject({ user: '1' });
  });

  it('deletes the cookie for the ticket of a logout', async () => {
    const stack = await startStack(harness);
    const client = await ProtocolClient.open(stack);
    const { cookie } = await logInAndExchange(stack, client);
    const before = client.frames.length;
    await client.request('auth.logout');
    const updated = client.frames.slice(before).find((frame) => frame.type === 'session.updated');
    const response = await postTicket(stack, updated?.ticket, { cookie: cookie ?? '' });
    expect(response.status).toBe(204);
    expect(setCookieOf(response)).toMatch(/^wsgate\.session=; Max-Age=0;/);
  });

  it('refuses a ticket used twice', async () => {
    const stack = await startStack(harness);
    const client = await ProtocolClient.open(stack);
    const { updated, response } = await logInAndExchange(stack, client);
    expect(response.status).toBe(204);
    const again = await postTicket(stack, updated?.ticket);
    expect(again.status).toBe(401);
    expect(JSON.parse(again.body.toString())).toEqual({
      code: 'UNAUTHENTICATED',
      message: 'the ticket was already used',
    });
    expect(setCookieOf(again)).toBeUndefined();
  });

  it('refuses two concurrent exchanges of one ticket but one', async () => {
    const stack = await startStack(harness);
    const client = await ProtocolClient.open(stack);
    await client.request('auth.login', { credentials: { username: 'bob', password: 'builder' } });
    const { ticket } = await client.next('session.updated');
    const statuses = await Promise.all([1, 2, 3].map(() => postTicket(stack, ticket)));
    expect(statuses.map((response) => response.status).sort()).toEqual([204, 401, 401]);
  });

  it('refuses one ticket exchanged on two nodes at once but one (a shared store claims it)', async () => {
    // A check-then-revoke claim would let both nodes through: this store makes them meet
    // between the check and the revoke, as two nodes on one Redis can.
    let arrived = 0;
    let bothArrived = () => {};
    const meeting = new Promise<void>((resolve) => (bothArrived = resolve));
    const shared = new InMemoryRevocationStore();
    const racingStore: RevocationStore = {
      revoke: (id, ttl) => shared.revoke(id, ttl),
      revokeIfNew: (id, ttl) => shared.revokeIfNew(id, ttl),
      async isRevoked(id) {
        const revoked = shared.isRevoked(id);
        if (!id.startsWith('ticket:')) return revoked;
        if (++arrived === 2) bothArrived();
        await meeting;
        return revoked;
      },
    };
    const session = { revocationStore: racingStore };
    const nodeA = await startStack(harness, { session });
    const nodeB = await startStack(harness, { session });
    const client = await ProtocolClient.open(nodeA);
    await client.request('auth.login', { credentials: { username: 'bob', password: 'builder' } });
    const { ticket } = await client.next('session.updated');
    const statuses = await Promise.all([nodeA, nodeB].map((node) => postTicket(node, ticket)));
    expect(statuses.map((response) => response.status).sort()).toEqual([204, 401]);
  });

  it('refuses an expired ticket', async () => {
    const stack = await startStack(harness);
    const client = await ProtocolClient.open(stack);
    await client.request('auth.login', { credentials: { username: 'bob', password: 'builder' } });
    const { ticket } = await client.next('session.updated');
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 61_000 });
    const response = await postTicket(stack, ticket);
    expect(response.status).toBe(401);
    expect(JSON.parse(response.body.toString()).code).toBe('UNAUTHENTICATED');
  });

  it('refuses tickets older than the endpoint allows', async () => {
    const stack = await startStack(harness, { endpoint: { ticketTtlSeconds: 5 } });
    const client = await ProtocolClient.open(stack);
    await client.request('auth.login', { credentials: { username: 'bob', password: 'builder' } });
    const { ticket } = await client.next('session.updated');
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 6_000 });
    expect((await postTicket(stack, ticket)).status).toBe(401);
  });

  it('refuses forged tickets, session cookies and garbage', async () => {
    const stack = await startStack(harness);
    const client = await ProtocolClient.open(stack);
    const { cookie, updated } = await logInAndExchange(stack, client);
    const seal = cookie?.slice('wsgate.session='.length);
    const tampered = `${String(updated?.ticket).slice(0, -10)}AAAAAAAA~2`;
    for (const ticket of [seal, tampered, 'Fe26.2**x', 'x'.repeat(5000)]) {
      const response = await postTicket(stack, ticket);
      expect(response.status, String(ticket).slice(0, 20)).toBe(401);
    }
  });

  it('refuses a ticket for a session of another browser (409), not one it replaced', async () => {
    const stack = await startStack(harness);
    const bobs = await logInAndExchange(stack, await ProtocolClient.open(stack), 'bob');
    const alices = await ProtocolClient.open(stack);
    await alices.request('auth.login', {
      credentials: { username: 'alice', password: 'wonderland' },
    });
    const { ticket } = await alices.next('session.updated');
    const conflict = await postTicket(stack, ticket, { cookie: bobs.cookie ?? '' });
    expect(conflict.status).toBe(409);
    expect(JSON.parse(conflict.body.toString()).code).toBe('SESSION_CONFLICT');
    // The socket's own earlier cookie is not a conflict: refreshes after a login work.
    const { cookie } = await logInAndExchange(stack, alices, 'alice');
    const before = alices.frames.length;
    await alices.request('session.refresh');
    const refreshed = alices.frames.slice(before).find((frame) => frame.type === 'session.updated');
    const response = await postTicket(stack, refreshed?.ticket, { cookie: cookie ?? '' });
    expect(response.status).toBe(204);
  });
});

describe('the endpoint refuses bad requests with a status and {code, message}', () => {
  it('answers 405 with Allow, 403 for a missing or foreign Origin, 415 and 400', async () => {
    const stack = await startStack(harness);
    const url = `${stack.server.url}/wsgate/session`;
    const get = await httpRequest(url);
    expect(get.status).toBe(405);
    expect(get.headers).toContainEqual(['allow', 'POST, OPTIONS']);
    const noOrigin = await httpRequest(url, { method: 'POST', body: ['{}'] });
    expect(noOrigin.status).toBe(403);
    const foreign = await postTicket(stack, 'x', { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(JSON.parse(foreign.body.toString())).toEqual({
      code: 'FORBIDDEN',
      message: 'the Origin https://evil.example may not exchange tickets here',
    });
    const text = await postTicket(stack, 'x', { 'content-type': 'text/plain' });
    expect(text.status).toBe(415);
    for (const body of ['{', '[]', '{"ticket":5}', 'null']) {
      const response = await httpRequest(url, {
        method: 'POST',
        headers: { origin: stack.origin, 'content-type': 'application/json' },
        body: [body],
      });
      expect(response.status, body).toBe(400);
      expect(JSON.parse(response.body.toString()).code).toBe('BAD_MESSAGE');
    }
  });

  it('answers allowed cross-origin pages with CORS headers, preflight included', async () => {
    const stack = await startStack(harness, {
      endpoint: { allowedOrigins: ['https://app.example'] },
    });
    const url = `${stack.server.url}/wsgate/session`;
    const preflight = await httpRequest(url, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers).toContainEqual([
      'access-control-allow-origin',
      'https://app.example',
    ]);
    expect(preflight.headers).toContainEqual(['access-control-allow-credentials', 'true']);
    const refused = await postTicket(stack, 'x', { origin: 'https://app.example' });
    expect(refused.status).toBe(401);
    expect(refused.headers).toContainEqual(['access-control-allow-origin', 'https://app.example']);
    // The list replaces the same-origin default.
    expect((await postTicket(stack, 'x')).status).toBe(403);
  });
});

describe('revocation on live sockets', () => {
  it('tells the other sockets of a session logged out in one of them, not the one itself', async () => {
    const stack = await startStack(harness);
    const first = await ProtocolClient.open(stack);
    const { cookie } = await logInAndExchange(stack, first);
    const second = await ProtocolClient.open(stack, cookie);
    const other = await logInAndExchange(stack, await ProtocolClient.open(stack), 'bob');
    const bystander = await ProtocolClient.open(stack, other.cookie);
    expect(await second.request('auth.whoami')).toMatchObject({ user: { id: '1' } });
    await first.request('auth.logout');
    expect(await second.next('auth.revoked')).toEqual({
      type: 'auth.revoked',
      reason: 'logged out',
    });
    expect(await second.next('app.auth')).toEqual({
      type: 'app.auth',
      user: null,
      reason: 'revoked',
    });
    expect(await second.request('auth.whoami')).toMatchObject({ ok: true, user: null });
    expect(first.types()).not.toContain('auth.revoked');
    expect(await bystander.request('auth.whoami')).toMatchObject({ user: { id: '2' } });
    expect(bystander.types()).not.toContain('auth.revoked');
  });

  it('refuses the logged-out cookie at a new handshake and its unused ticket at the endpoint', async () => {
    const stack = await startStack(harness);
    const client = await ProtocolClient.open(stack);
    const { cookie } = await logInAndExchange(stack, client);
    await client.request('session.refresh');
    const unused = client.frames.filter((frame) => frame.type === 'session.updated').at(-1);
    await client.request('auth.logout');
    const replay = await ProtocolClient.open(stack, cookie);
    expect(await replay.request('auth.whoami')).toMatchObject({ ok: true, user: null });
    const response = await postTicket(stack, unused?.ticket);
    expect(response.status).toBe(401);
    expect(JSON.parse(response.body.toString()).code).toBe('REVOKED');
  });

  it('reaches sockets from an HTTP logout, and closes 4403 with onRevoked: close', async () => {
    const stack = await startStack(harness, { socket: { onRevoked: 'close' } });
    const { cookie } = await logInAndExchange(stack, await ProtocolClient.open(stack));
    const socket = await ProtocolClient.open(stack, cookie);
    const logout = await httpRequest(`${stack.server.url}/logout`, {
      method: 'POST',
      headers: { cookie: cookie ?? '' },
    });
    expect(logout.status).toBe(204);
    expect((await socket.closed).code).toBe(4403);
    expect(socket.frames.at(-1)).toMatchObject({ type: 'auth.error', code: 4403 });
  });

  it('crosses nodes through the channel layer the session options name', async () => {
    const channelLayer = new InMemoryChannelLayer();
    const revocationStore = new InMemoryRevocationStore();
    const session = { channelLayer, revocationStore };
    const nodeA = await startStack(harness, { session });
    const nodeB = await startStack(harness, { session });
    const { cookie } = await logInAndExchange(nodeA, await ProtocolClient.open(nodeA));
    const onA = await ProtocolClient.open(nodeA, cookie);
    const onB = await ProtocolClient.open(nodeB, cookie);
    expect(await onB.request('auth.whoami')).toMatchObject({ user: { id: '1' } });
    await onB.request('auth.logout');
    expect(await onA.next('auth.revoked')).toMatchObject({ reason: 'logged out' });
    await channelLayer.close();
  });
});
