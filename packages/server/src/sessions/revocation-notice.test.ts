import { afterEach, describe, expect, it, vi } from 'vitest';
import { InMemoryChannelLayer } from '../layers/in-memory-channel-layer.js';
import { defaultLogger } from '../logger.js';
import { InMemoryRevocationStore } from './in-memory-revocation-store.js';
import {
  isRevocationNotice,
  processRevocationLayer,
  publishRevocation,
  sessionGroup,
} from './revocation-notice.js';
import { newSessionId } from './seal-session.js';
import { SealedSession } from './sealed-session.js';
import { resolveSessionOptions } from './session-options.js';

const layers: InMemoryChannelLayer[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const layer of layers.splice(0)) await layer.close();
});

function newLayer(): InMemoryChannelLayer {
  const layer = new InMemoryChannelLayer();
  layers.push(layer);
  return layer;
}

/** A channel in the group of `sessionId`. */
async function listen(layer: InMemoryChannelLayer, sessionId: string): Promise<string> {
  const channel = await layer.newChannel();
  await layer.groupAdd(sessionGroup(sessionId), channel);
  return channel;
}

describe('revocation notices', () => {
  it('name a group the layers accept, and reach its members', async () => {
    const layer = newLayer();
    const id = newSessionId();
    const channel = await listen(layer, id);
    await publishRevocation(layer, id, 'logged out');
    const message = await layer.receive(channel);
    expect(message).toEqual({
      type: 'wsgate.session.revoked',
      sessionId: id,
      reason: 'logged out',
    });
    expect(isRevocationNotice(message)).toBe(true);
    expect(isRevocationNotice({ type: 'wsgate.session.revoked', sessionId: 1 })).toBe(false);
    expect(isRevocationNotice({ type: 'chat.message' })).toBe(false);
  });

  it('are sent by SealedSession.revoke on the layer of its options', async () => {
    const channelLayer = newLayer();
    const revocationStore = new InMemoryRevocationStore();
    const settings = resolveSessionOptions({
      password: 'a-test-password-of-at-least-32-characters',
      channelLayer,
      revocationStore,
    });
    const session = new SealedSession(null, { settings, kind: 'websocket', secure: false });
    const id = session.id;
    const channel = await listen(channelLayer, id);
    expect(session.revokedHere(id)).toBe(false);
    await session.revoke();
    expect(revocationStore.isRevoked(id)).toBe(true);
    expect(session.revokedHere(id)).toBe(true);
    expect(await channelLayer.receive(channel)).toMatchObject({
      sessionId: id,
      reason: 'logged out',
    });
  });

  it('still revoke when the layer cannot send (the store is what holds)', async () => {
    const channelLayer = newLayer();
    await channelLayer.close();
    const revocationStore = new InMemoryRevocationStore();
    const settings = resolveSessionOptions({
      password: 'a-test-password-of-at-least-32-characters',
      channelLayer,
      revocationStore,
    });
    const session = new SealedSession(null, { settings, kind: 'http', secure: false });
    const warn = vi.spyOn(defaultLogger, 'warn').mockImplementation(() => {});
    await session.revoke();
    expect(revocationStore.isRevoked(session.id)).toBe(true);
    expect(warn).toHaveBeenCalledWith('could not announce a revoked session on the channel layer', {
      error: expect.any(Error),
    });
  });

  it('default to one layer per process', () => {
    const settings = resolveSessionOptions({
      password: 'a-test-password-of-at-least-32-characters',
    });
    expect(settings.channelLayer).toBe(processRevocationLayer());
    expect(() =>
      resolveSessionOptions({
        password: 'a-test-password-of-at-least-32-characters',
        channelLayer: {} as never,
      }),
    ).toThrow(/channelLayer must be a ChannelLayer/);
  });
});
