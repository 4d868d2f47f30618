import { afterEach, describe, expect, it, vi } from 'vitest';
import { newSessionId, sealSession, unsealSession } from './seal-session.js';
import { createSessionCodec } from './session-codec.js';

const codec = createSessionCodec('p'.repeat(32));

afterEach(() => {
  vi.useRealTimers();
});

describe('sealSession / unsealSession', () => {
  it('round-trips id, data and expiry in the documented layout', async () => {
    const id = newSessionId();
    const { seal, expiresAt } = await sealSession(codec, { id, data: { a: 1 } }, 60);
    expect(expiresAt).toBeGreaterThan(Date.now() + 59_000);
    expect(await codec.unseal(seal)).toEqual({ v: 1, id, exp: expiresAt, data: { a: 1 } });
    expect(await unsealSession(codec, seal)).toEqual({ id, expiresAt, data: { a: 1 } });
  });

  it('makes 128-bit base64url ids that differ', () => {
    const ids = new Set(Array.from({ length: 100 }, () => newSessionId()));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^[\w-]{22}$/);
  });

  it('refuses another layout sealed with the same password', async () => {
    const layouts = [
      { v: 2, id: newSessionId(), exp: Date.now() + 60_000, data: {} },
      { v: 1, id: 'short', exp: Date.now() + 60_000, data: {} },
      { v: 1, id: newSessionId(), exp: '1', data: {} },
      { v: 1, id: newSessionId(), exp: Date.now() + 60_000, data: [] },
      { ticket: 'something else' },
    ];
    for (const layout of layouts) {
      expect(await unsealSession(codec, await codec.seal(layout, 60))).toBeNull();
    }
  });

  it('refuses a seal whose own expiry passed, even inside iron’s clock-skew allowance', async () => {
    const { seal } = await sealSession(codec, { id: newSessionId(), data: { a: 1 } }, 1);
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 1500 });
    expect(await unsealSession(codec, seal)).toBeNull();
  });
});
