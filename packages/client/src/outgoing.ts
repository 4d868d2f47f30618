/**
 * Checks on what the application sends, so that a mistake is an error at the call site rather
 * than a frame the server refuses later.
 */
import { ErrorCode, isControlType } from '@wsgate/shared';
import { WsgateClientError } from './client-error.js';
import type { OutgoingData } from './send-queue.js';

function isArrayBufferLike(value: unknown): value is ArrayBufferLike {
  // Covers SharedArrayBuffer and buffers from other realms, which `instanceof` misses.
  return Object.prototype.toString.call(value).endsWith('ArrayBuffer]');
}

/**
 * Throws unless `data` is something a WebSocket can send.
 *
 * @example
 * assertOutgoing(new Uint8Array([1, 2])); // fine
 * assertOutgoing({ text: 'hi' }); // throws BAD_MESSAGE: use sendJson()
 */
export function assertOutgoing(data: unknown): asserts data is OutgoingData {
  if (typeof data === 'string' || ArrayBuffer.isView(data) || isArrayBufferLike(data)) return;
  throw new WsgateClientError(
    ErrorCode.badMessage,
    'send() takes a string, an ArrayBuffer or a typed array; use sendJson() for other values',
  );
}

/**
 * Serialises an application message, refusing what JSON cannot represent and `type`s that
 * belong to the protocol (the server would treat them as control messages).
 *
 * @example
 * jsonText({ type: 'chat.message', text: 'hi' }); // '{"type":"chat.message","text":"hi"}'
 */
export function jsonText(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (cause) {
    const message = `sendJson() cannot serialise the value: ${String(cause)}`;
    throw new WsgateClientError(ErrorCode.badMessage, message, { cause });
  }
  if (text === undefined) {
    throw new WsgateClientError(
      ErrorCode.badMessage,
      'sendJson() got a value JSON cannot represent',
    );
  }
  const type = (value as { type?: unknown } | null)?.type;
  if (typeof type === 'string' && isControlType(type)) {
    throw new WsgateClientError(
      ErrorCode.badMessage,
      `sendJson() refuses type '${type}': auth.*, session.* and error belong to the protocol; use login(), logout(), whoami() or refresh()`,
    );
  }
  return text;
}
