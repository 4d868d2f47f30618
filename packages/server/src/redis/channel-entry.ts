/**
 * How RedisChannelLayer stores a message in a channel's list: `<expiresAt>:<JSON>`, the expiry
 * in ms since the epoch first so the Lua scripts can drop expired entries without parsing
 * JSON. Bytes travel as `{"\u0000bytes": "<base64>"}`, a key messages may not use (see
 * portable-message.ts), so decoding them back is unambiguous.
 */
import type { ChannelLayerMessage } from '../layers/channel-layer.js';
import { bytesKey } from '../layers/portable-message.js';

export interface ChannelEntry {
  readonly expiresAt: number;
  readonly message: ChannelLayerMessage;
}

/**
 * `message` must be a copy checked by `copyLayerMessage`: JSON data and Uint8Arrays only.
 *
 * @example
 * encodeEntry({ type: 'chat.message', text: 'hi' }, Date.now() + 60_000);
 * // '1700000060000:{"type":"chat.message","text":"hi"}'
 */
export function encodeEntry(message: ChannelLayerMessage, expiresAt: number): string {
  return `${expiresAt}:${JSON.stringify(message, encodeBytes)}`;
}

/** The entry, or null if it is not one (written by something else under the same prefix). */
export function decodeEntry(entry: string): ChannelEntry | null {
  const colon = entry.indexOf(':');
  const expiresAt = Number(entry.slice(0, colon));
  if (colon <= 0 || !Number.isSafeInteger(expiresAt)) return null;
  try {
    const message: unknown = JSON.parse(entry.slice(colon + 1), decodeBytes);
    if (typeof message !== 'object' || message === null || Array.isArray(message)) return null;
    if (typeof (message as { type?: unknown }).type !== 'string') return null;
    return { expiresAt, message: message as ChannelLayerMessage };
  } catch {
    return null;
  }
}

function encodeBytes(this: unknown, key: string, value: unknown): unknown {
  const raw = (this as Record<string, unknown>)[key];
  if (!(raw instanceof Uint8Array)) return value;
  return { [bytesKey]: Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64') };
}

function decodeBytes(_key: string, value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const encoded = (value as Record<string, unknown>)[bytesKey];
  return typeof encoded === 'string' ? new Uint8Array(Buffer.from(encoded, 'base64')) : value;
}
