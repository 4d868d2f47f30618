import { describe, expect, it } from 'vitest';
import type { PlanContext } from './close-plan.js';
import { describeClose, planAfterClose } from './close-plan.js';

const context = (overrides: Partial<PlanContext> = {}): PlanContext => ({
  reconnect: true,
  refreshUsed: false,
  nextDelay: () => 1234,
  ...overrides,
});

describe('planAfterClose', () => {
  it.each([
    [1000, { action: 'stop', outcome: 'normal' }],
    [1001, { action: 'reconnect', delayMs: 1234, refreshFirst: false }],
    [1002, { action: 'reconnect', delayMs: 1234, refreshFirst: false }],
    [1005, { action: 'reconnect', delayMs: 1234, refreshFirst: false }],
    [1006, { action: 'reconnect', delayMs: 1234, refreshFirst: false }],
    [1007, { action: 'stop', outcome: 'terminal' }],
    [1008, { action: 'stop', outcome: 'terminal' }],
    [1009, { action: 'stop', outcome: 'terminal' }],
    [1011, { action: 'reconnect', delayMs: 1234, refreshFirst: false }],
    [1012, { action: 'reconnect', delayMs: 1234, refreshFirst: false }],
    [1013, { action: 'reconnect', delayMs: 1234, refreshFirst: false }],
    [4000, { action: 'stop', outcome: 'terminal' }],
    [4400, { action: 'stop', outcome: 'terminal' }],
    [4401, { action: 'reconnect', delayMs: 0, refreshFirst: true }],
    [4403, { action: 'stop', outcome: 'revoked' }],
    [4408, { action: 'reconnect', delayMs: 1234, refreshFirst: false }],
    [4429, { action: 'reconnect', delayMs: 1234, refreshFirst: false }],
  ])('%i', (code, plan) => {
    expect(planAfterClose({ code, reason: '' }, context())).toEqual(plan);
  });

  it('takes 4429’s delay from the auth.error that announced it', () => {
    const authError = {
      type: 'auth.error',
      code: 4429,
      message: 'slow',
      retryAfterMs: 777,
    } as const;
    expect(planAfterClose({ code: 4429, reason: '', authError }, context())).toMatchObject({
      delayMs: 777,
    });
    // An auth.error about another code says nothing about this close.
    const other = { ...authError, code: 4408 };
    expect(planAfterClose({ code: 4429, reason: '', authError: other }, context())).toMatchObject({
      delayMs: 1234,
    });
  });

  it('ends on a second 4401 before the connection was stable', () => {
    expect(planAfterClose({ code: 4401, reason: '' }, context({ refreshUsed: true }))).toEqual({
      action: 'stop',
      outcome: 'expired',
    });
  });

  it('never reconnects when reconnecting is off, but still names terminal codes', () => {
    const off = context({ reconnect: false });
    for (const code of [1006, 1011, 1012, 4401, 4408, 4429]) {
      expect(planAfterClose({ code, reason: '' }, off)).toEqual({
        action: 'stop',
        outcome: 'disabled',
      });
    }
    expect(planAfterClose({ code: 4403, reason: '' }, off)).toMatchObject({ outcome: 'revoked' });
  });

  it('consumes a backoff attempt only when it uses the backoff', () => {
    let attempts = 0;
    const counting = context({ nextDelay: () => ++attempts });
    planAfterClose({ code: 4401, reason: '' }, counting);
    planAfterClose({ code: 4403, reason: '' }, counting);
    expect(attempts).toBe(0);
    planAfterClose({ code: 1006, reason: '' }, counting);
    expect(attempts).toBe(1);
  });
});

describe('describeClose', () => {
  it('prefers the server’s words, then the reason, then the table', () => {
    const authError = { type: 'auth.error', code: 4403, message: 'banned' } as const;
    expect(describeClose({ code: 4403, reason: 'r', authError })).toBe('banned');
    expect(describeClose({ code: 4403, reason: 'r' })).toBe('r');
    expect(describeClose({ code: 4403, reason: '' })).toBe('forbidden or revoked');
    expect(describeClose({ code: 4999, reason: '' })).toBe('no reason given');
  });
});
