/**
 * Puts an entry popped for a receive that is gone back at the head of its channel, ringing the
 * owner's inbox again, so a cancelled receive never loses a message another could have had.
 */
import type { Logger } from '../logger.js';
import { decodeEntry } from './channel-entry.js';
import { pushKeys } from './channel-keys.js';
import { requeueScript } from './channel-scripts.js';
import type { RedisConnection } from './redis-connection.js';

export interface PutBackTarget {
  readonly connection: RedisConnection;
  readonly prefix: string;
  readonly logger: Logger;
}

/**
 * Resolves once the entry is back, or (Redis away) once the loss is logged; never rejects.
 * An entry that expired meanwhile is dropped, as a receive would have.
 *
 * @example
 * await putBack({ connection, prefix, logger }, channel, entry);
 */
export async function putBack(
  target: PutBackTarget,
  channel: string,
  entry: string,
): Promise<void> {
  const decoded = decodeEntry(entry);
  const left = decoded === null ? 0 : decoded.expiresAt - Date.now();
  if (left <= 0) return;
  try {
    await target.connection.script(requeueScript, pushKeys(target.prefix, channel), [
      entry,
      channel,
      String(left),
    ]);
  } catch (error) {
    target.logger.warn('RedisChannelLayer lost a message popped for a cancelled receive', {
      channel,
      type: decoded?.message.type,
      error: error instanceof Error ? error.message : error,
    });
  }
}
