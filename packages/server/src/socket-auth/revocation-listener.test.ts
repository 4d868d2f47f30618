import { afterEach, describe, expect, it } from 'vitest';
import { InMemoryChannelLayer } from '../layers/in-memory-channel-layer.js';
import type { Logger } from '../logger.js';
import { newSessionId } from '../sessions/seal-session.js';
import { publishRevocation } from '../sessions/revocation-notice.js';
import type { RevocationNotice } from '../sessions/revocation-notice.js';
import { RevocationListener } from './revocation-listener.js';

const layers: InMemoryChannelLayer[] = [];
afterEach(async () => {
  for (const layer of layers.splice(0)) await layer.close();
});

function setUp() {
  const layer = new InMemoryChannelLayer();
  layers.push(layer);
  const warnings: string[] = [];
  const logger: Logger = {
    debug() {},
    info() {},
    warn: (message) => warnings.push(message),
    error() {},
  };
  const notices: RevocationNotice[] = [];
  let wake = (): void => {};
  const listener = new RevocationListener(layer, logger, (notice) => {
    notices.push(notice);
    wake();
  });
  const next = () => new Promise<void>((resolve) => (wake = resolve));
  return { layer, listener, notices, next, warnings };
}

describe('RevocationListener', () => {
  it('hears revocations of the session it follows, and only of that one', async () => {
    const { layer, listener, notices, next } = setUp();
    const [a, b] = [newSessionId(), newSessionId()];
    await listener.follow(a);
    const heard = next();
    await publishRevocation(layer, b, 'not mine');
    await publishRevocation(layer, a, 'logged out');
    await heard;
    expect(notices).toEqual([
      { type: 'wsgate.session.revoked', sessionId: a, reason: 'logged out' },
    ]);
    await listener.stop();
  });

  it('moves between groups, and leaves the last one when stopped', async () => {
    const { layer, listener } = setUp();
    const [a, b] = [newSessionId(), newSessionId()];
    await listener.follow(a);
    await listener.follow(b);
    expect(layer.stats().groups).toBe(1);
    await listener.follow(null);
    expect(layer.stats().groups).toBe(0);
    await listener.follow(a);
    await listener.stop();
    expect(layer.stats()).toMatchObject({ groups: 0, channels: 0 });
    await listener.follow(b);
    expect(layer.stats().groups).toBe(0);
  });

  it('costs nothing until it follows a session', async () => {
    const { layer, listener } = setUp();
    await listener.follow(null);
    await listener.renew();
    expect(layer.stats()).toEqual({ channels: 0, groups: 0, messages: 0 });
    await listener.stop();
  });

  it('logs a failing layer instead of throwing', async () => {
    const { layer, listener, warnings } = setUp();
    await layer.close();
    await listener.follow(newSessionId());
    expect(warnings).toEqual([expect.stringMatching(/could not join or leave a session group/)]);
  });
});
