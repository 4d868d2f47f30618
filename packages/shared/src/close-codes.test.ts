import { describe, expect, it } from 'vitest';
import { CloseCode, closeCodes, closePolicy } from './close-codes.js';

describe('closePolicy', () => {
  it('follows the contract table', () => {
    expect(closePolicy(CloseCode.badMessage)).toBe('stay-open');
    expect(closePolicy(CloseCode.unauthenticated)).toBe('refresh-then-reconnect');
    expect(closePolicy(CloseCode.forbidden)).toBe('terminal');
    expect(closePolicy(CloseCode.authTimeout)).toBe('backoff');
    expect(closePolicy(CloseCode.tooManyRequests)).toBe('retry-after');
    expect(closePolicy(CloseCode.internalError)).toBe('backoff');
    expect(closePolicy(CloseCode.policyViolation)).toBe('terminal');
    expect(closePolicy(CloseCode.messageTooBig)).toBe('terminal');
    expect(closePolicy(CloseCode.serviceRestart)).toBe('jittered-backoff');
    expect(closePolicy(CloseCode.tryAgainLater)).toBe('jittered-backoff');
  });

  it('treats unknown application codes as terminal and anything else as a lost link', () => {
    expect(closePolicy(4000)).toBe('terminal');
    expect(closePolicy(4999)).toBe('terminal');
    expect(closePolicy(1014)).toBe('backoff');
  });

  it('has an entry for every named code', () => {
    for (const code of Object.values(CloseCode)) expect(closeCodes[code]).toBeDefined();
  });
});
