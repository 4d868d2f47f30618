import type { ChannelLayer, ChannelLayerMessage } from '@wsgate/server';
import type { DemoUser } from './user-store.js';

/**
 * Sent to every socket of a user after "log out everywhere" changed their `sessionAuthHash`:
 * each socket still signed in with an older hash logs out at once, rather than at its next
 * periodic re-check.
 */
export interface SignedOutEverywhere extends ChannelLayerMessage {
  readonly type: 'user.signed_out';
  readonly userId: string;
  /** The user's new hash: sessions that already carry it (a login since) stay. */
  readonly sessionAuthHash: string;
}

/** The group every signed-in socket of a user joins. */
export function userGroup(userId: string): string {
  return `user.${userId}`;
}

/**
 * Tells every socket of `user` (as updated, with the new hash), on every node sharing the
 * layer, to sign out.
 *
 * @example
 * const updated = users.endAllSessions(user.id);
 * if (updated) await announceSignOut(channelLayer, updated);
 */
export function announceSignOut(layer: ChannelLayer, user: DemoUser): Promise<void> {
  const message: SignedOutEverywhere = {
    type: 'user.signed_out',
    userId: user.id,
    sessionAuthHash: user.sessionAuthHash,
  };
  return layer.groupSend(userGroup(user.id), message);
}
