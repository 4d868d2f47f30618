/**
 * What the client does after a connection ended, decided from the close code with the policy
 * table in @wsgate/shared (`closePolicy`), so client and server cannot drift apart.
 */
import { CloseCode, closeCodes, closePolicy } from '@wsgate/shared';
import type { CloseInfo } from './connection.js';

export type ClosePlan =
  | {
      readonly action: 'reconnect';
      readonly delayMs: number;
      /** 4401: refresh the session before the one reconnect that may fix it. */
      readonly refreshFirst: boolean;
    }
  | {
      readonly action: 'stop';
      /**
       * `normal`: the server closed with 1000; `disabled`: reconnecting is switched off;
       * `revoked`: 4403; `expired`: 4401 again although the session was refreshed;
       * `terminal`: any other code that reconnecting cannot fix.
       */
      readonly outcome: 'normal' | 'disabled' | 'revoked' | 'expired' | 'terminal';
    };

export interface PlanContext {
  /** False when the `reconnect` option is off. */
  readonly reconnect: boolean;
  /** True when a 4401 already led to a refresh and the connection has not been stable since. */
  readonly refreshUsed: boolean;
  /** The next backoff delay (consumes an attempt). */
  readonly nextDelay: () => number;
}

/**
 * @example
 * const plan = planAfterClose({ code: 4429, reason: '', authError }, { reconnect: true, refreshUsed: false, nextDelay });
 * if (plan.action === 'reconnect') setTimeout(connect, plan.delayMs);
 */
export function planAfterClose(close: CloseInfo, context: PlanContext): ClosePlan {
  const policy = closePolicy(close.code);
  switch (policy) {
    // A close with 4400 means our bad messages repeated: reconnecting would only repeat them.
    case 'stay-open':
    case 'terminal':
      if (close.code === CloseCode.normal) return { action: 'stop', outcome: 'normal' };
      if (close.code === CloseCode.forbidden) return { action: 'stop', outcome: 'revoked' };
      return { action: 'stop', outcome: 'terminal' };
    case 'refresh-then-reconnect':
      if (context.refreshUsed) return { action: 'stop', outcome: 'expired' };
      if (!context.reconnect) return { action: 'stop', outcome: 'disabled' };
      return { action: 'reconnect', delayMs: 0, refreshFirst: true };
    case 'retry-after': {
      if (!context.reconnect) return { action: 'stop', outcome: 'disabled' };
      const retryAfterMs =
        close.authError?.code === close.code ? close.authError.retryAfterMs : undefined;
      const delayMs =
        retryAfterMs !== undefined && retryAfterMs >= 0 ? retryAfterMs : context.nextDelay();
      return { action: 'reconnect', delayMs, refreshFirst: false };
    }
    case 'backoff':
    case 'jittered-backoff':
      if (!context.reconnect) return { action: 'stop', outcome: 'disabled' };
      return { action: 'reconnect', delayMs: context.nextDelay(), refreshFirst: false };
  }
}

/**
 * Why a connection closed, in the best words available: the server's `auth.error`, the close
 * reason, or the code's meaning from the shared table.
 *
 * @example
 * describeClose({ code: 4403, reason: '' }); // 'forbidden or revoked'
 */
export function describeClose({ code, reason, authError }: CloseInfo): string {
  const known = (closeCodes as Readonly<Record<number, { meaning: string } | undefined>>)[code];
  return authError?.message || reason || known?.meaning || 'no reason given';
}
