import { describe, expect, it } from 'vitest';
import { defaultLogger } from '../logger.js';
import { resolveServerOptions } from './server-options.js';

describe('resolveServerOptions', () => {
  it('fills in safe defaults', () => {
    expect(resolveServerOptions()).toEqual({
      logger: defaultLogger,
      maxPayload: 65_536,
      maxFragments: 1024,
      perMessageDeflate: false,
      handshakeTimeoutMs: 10_000,
      maxBodySize: 1_048_576,
      sendHighWaterMark: 1_048_576,
      maxBufferedAmount: 4_194_304,
      slowReaderTimeoutMs: 30_000,
      maxQueuedMessages: 64,
      pingIntervalMs: 25_000,
      drainTimeoutMs: 5_000,
      trustProxy: false,
    });
  });

  it('turns perMessageDeflate: true into ws options, and allows pingIntervalMs 0', () => {
    const options = resolveServerOptions({ perMessageDeflate: true, pingIntervalMs: 0 });
    expect(options.perMessageDeflate).toEqual({});
    expect(options.pingIntervalMs).toBe(0);
  });

  it.each([
    ['maxPayload', 0],
    ['maxPayload', 1.5],
    ['handshakeTimeoutMs', -1],
    ['maxQueuedMessages', Number.NaN],
    ['pingIntervalMs', -5],
  ] as const)('refuses %s = %s, naming the option and its default', (name, value) => {
    expect(() => resolveServerOptions({ [name]: value })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringContaining(name) }),
    );
  });

  it('refuses a maxBufferedAmount below sendHighWaterMark', () => {
    expect(() =>
      resolveServerOptions({ sendHighWaterMark: 2048, maxBufferedAmount: 1024 }),
    ).toThrow(/maxBufferedAmount \(1024\) must be at least sendHighWaterMark \(2048\)/);
  });
});
