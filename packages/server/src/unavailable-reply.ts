/**
 * What a client is told when its request met a shared backend (Redis) that is away for a
 * while: not a bug, so it ends no connection, and the client gets a stable code and words it
 * can act on. Which server failed and why stays in the server's log.
 */
import { ErrorCode } from '@wsgate/shared';
import type { WireError } from '@wsgate/shared';
import { ServerErrorCode, WsgateError } from './errors.js';

/** The shared store of sessions and logins (RevocationStore, LoginThrottleStore) is away. */
export const storeUnavailable: WireError = {
  code: ErrorCode.sessionStoreUnavailable,
  message: 'the server cannot reach its session store for the moment; try again in a few seconds',
};

/** The channel layer is away. */
export const layerUnavailable: WireError = {
  code: ErrorCode.layerUnavailable,
  message:
    'the server cannot reach its message service for the moment, so this may not have been ' +
    'delivered; send it again in a few seconds',
};

/**
 * The `error` for `error` when it is a backend outage (`STORE_UNAVAILABLE`,
 * `LAYER_UNAVAILABLE`), or undefined for any other error.
 *
 * @example
 * const reply = unavailableReply(error);
 * if (reply === undefined) throw error;
 * await socket.reply({ type: 'error', id, ...reply });
 */
export function unavailableReply(error: unknown): WireError | undefined {
  if (!(error instanceof WsgateError)) return undefined;
  if (error.code === ServerErrorCode.storeUnavailable) return storeUnavailable;
  if (error.code === ServerErrorCode.layerUnavailable) return layerUnavailable;
  return undefined;
}
