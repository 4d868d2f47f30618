import { afterEach, describe, expect, it, vi } from 'vitest';
import { WsgateError } from '../errors.js';
import { newSessionId, sealSession } from '../sessions/seal-session.js';
import { createSessionCodec } from '../sessions/session-codec.js';
import { maxBoundSessions, openTicket, sealTicket } from './ticket-codec.js';

const codec = createSessionCodec('a-ticket-test-password-of-32-characters!');
const sessionId = newSessionId();
const openedWith = newSessionId();

afterEach(() => {
  vi.useRealTimers();
});

describe('sealTicket and openTicket', () => {
  it('round-trips a session seal, with a fresh ticket id each time', async () => {
    const request = {
      sessionId,
      seal: 'Fe26.2*seal',
      sessionExpiresAt: Date.now() + 1000,
      boundTo: [openedWith],
    };
    const first = await openTicket(codec, await sealTicket(codec, request, 60));
    const second = await openTicket(codec, await sealTicket(codec, request, 60));
    expect(first).toMatchObject({ sessionId, seal: 'Fe26.2*seal', boundTo: [openedWith] });
    expect(first?.expiresAt).toBe((first?.issuedAt ?? 0) + 60_000);
    expect(first?.ticketId).not.toBe(second?.ticketId);
  });

  it('carries an emptied session as a null seal', async () => {
    const request = { sessionId, seal: null, sessionExpiresAt: null, boundTo: [] };
    expect(await openTicket(codec, await sealTicket(codec, request, 10))).toMatchObject({
      seal: null,
      sessionExpiresAt: null,
    });
  });

  it('keeps only the last sessions it is bound to', async () => {
    const boundTo = Array.from({ length: maxBoundSessions + 3 }, () => newSessionId());
    const request = { sessionId, seal: null, sessionExpiresAt: null, boundTo };
    const ticket = await openTicket(codec, await sealTicket(codec, request, 10));
    expect(ticket?.boundTo).toEqual(boundTo.slice(-maxBoundSessions));
  });

  it('opens nothing else: session seals, other passwords, expired tickets, garbage', async () => {
    const { seal } = await sealSession(codec, { id: sessionId, data: { a: 1 } }, 60);
    expect(await openTicket(codec, seal)).toBeNull();
    const other = createSessionCodec('another-password-that-is-32-characters-long');
    const request = { sessionId, seal: null, sessionExpiresAt: null, boundTo: [] };
    expect(await openTicket(other, await sealTicket(codec, request, 10))).toBeNull();
    expect(await openTicket(codec, await codec.seal({ p: 'wsgate.ticket', tv: 1 }, 10))).toBeNull();
    for (const text of ['', 'x', 'Fe26.2**a*b*c*d*e*f~2'])
      expect(await openTicket(codec, text)).toBeNull();
    const ticket = await sealTicket(codec, request, 10);
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 10_000 });
    expect(await openTicket(codec, ticket)).toBeNull();
  });

  it('refuses a session too big to travel in a ticket, saying what to do', async () => {
    const request = {
      sessionId,
      seal: 'x'.repeat(3500),
      sessionExpiresAt: Date.now(),
      boundTo: [],
    };
    const sealing = sealTicket(codec, request, 60);
    await expect(sealing).rejects.toThrow(WsgateError);
    await expect(sealing).rejects.toThrow(/too big to send to the client as a ticket/);
  });
});
