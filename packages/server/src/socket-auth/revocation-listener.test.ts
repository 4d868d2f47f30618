import { afterEach, describe, expect, it } from 'vitest';
import { InMemoryChannelLayer } from '../layers/in-memory-channel-layer.js';
import type { Logger } from '../logger.js';
import { newSessionId } from '../sessions/seal-session.js';
import { publishRevocation } from '../sessions/revocation-notice.js';
import type { RevocationNotice } from '../sessions/revocation-notice.js';
import { RevocationListener } from './revocation-listener.js';
import type { RevocationFollower } from './revocation-listener.js';

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
  const notices: string[] = [];
  let wake = (): void => {};
  const follower = (name: string): RevocationFollower => ({
    revocationNoticed: (notice: RevocationNotice) => {
      notices.push(`${name}: ${notice.reason}`);
      wake();
    },
  });
  const listener = new RevocationListener(layer, logger);
  const next = () => new Promise<void>((resolve) => (wake = resolve));
  return { layer, listener, follower, notices, next, warnings };
}

describe('RevocationListener', () => {
  it('hears revocations of the session each follower follows, and only of that one', async () => {
    const { layer, listener, follower, notices, next } = setUp();
    const [one, two] = [follower('one'), follower('two')];
    const [a, b] = [newSessionId(), newSessionId()];
    await listener.follow(one, a);
    await listener.follow(two, a);
    let heard = next();
    await publishRevocation(layer, b, 'not followed');
    await publishRevocation(layer, a, 'logged out');
    await heard;
    expect(notices).toEqual(['one: logged out', 'two: logged out']);
    await listener.follow(one, b);
    heard = next();
    await publishRevocation(layer, b, 'b logged out');
    await heard;
    expect(notices.slice(2)).toEqual(['one: b logged out']);
    await listener.follow(one, null);
    await listener.follow(two, null);
  });

  it('joins a group for its first follower, leaves it with its last, and then stops listening', async () => {
    const { layer, listener, follower } = setUp();
    const [one, two] = [follower('one'), follower('two')];
    const [a, b] = [newSessionId(), newSessionId()];
    await listener.follow(one, a);
    await listener.follow(two, a);
    expect(layer.stats()).toMatchObject({ groups: 1, channels: 1 });
    await listener.follow(one, b);
    expect(layer.stats().groups).toBe(2);
    await listener.follow(two, null);
    expect(layer.stats().groups).toBe(1);
    await listener.follow(one, null);
    expect(layer.stats()).toMatchObject({ groups: 0, channels: 0 });
    await listener.follow(one, a);
    expect(layer.stats()).toMatchObject({ groups: 1, channels: 1 });
    await listener.follow(one, null);
  });

  it('costs nothing until a session is followed', async () => {
    const { layer, listener, follower } = setUp();
    const one = follower('one');
    await listener.follow(one, null);
    await listener.renew(one);
    expect(layer.stats()).toEqual({ channels: 0, groups: 0, messages: 0 });
  });

  it('logs a failing layer instead of throwing', async () => {
    const { layer, listener, follower, warnings } = setUp();
    await layer.close();
    await listener.follow(follower('one'), newSessionId());
    expect(warnings).toEqual([expect.stringMatching(/could not join or leave a session group/)]);
  });
});
