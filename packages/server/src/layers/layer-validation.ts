/**
 * Input checks every channel layer shares, so that a name or message one layer accepts is
 * accepted by all of them (the rules are Channels').
 */
import { WsgateError } from '../errors.js';
import type { ChannelLayerMessage } from './channel-layer.js';
import { portableCopy } from './portable-message.js';

/** Names are shorter than this, as in Channels. */
const maxNameLength = 100;
const channelNamePattern = /^[a-zA-Z\d\-_.]+(![\d\w\-_.]*)?$/;
const groupNamePattern = /^[a-zA-Z\d\-_.]+$/;

export function assertChannelName(name: string): void {
  if (typeof name === 'string' && name.length < maxNameLength && channelNamePattern.test(name)) {
    return;
  }
  throw new WsgateError(
    'INVALID_CHANNEL_NAME',
    `channel name ${describeName(name)} is invalid: use ASCII letters, digits, hyphens, ` +
      'underscores and periods, optionally followed by "!" and more of the same for ' +
      `process-local channels, fewer than ${maxNameLength} characters in all.`,
  );
}

export function assertGroupName(name: string): void {
  if (typeof name === 'string' && name.length < maxNameLength && groupNamePattern.test(name)) {
    return;
  }
  throw new WsgateError(
    'INVALID_CHANNEL_NAME',
    `group name ${describeName(name)} is invalid: use ASCII letters, digits, hyphens, ` +
      `underscores and periods, fewer than ${maxNameLength} characters (e.g. "chat.room-1").`,
  );
}

/**
 * A deep copy of `message`, so a receiver never shares mutable state with the sender or
 * with other receivers. Refuses anything but an object with a non-empty string `type`, and
 * values no layer can carry across processes (see portable-message.ts).
 */
export function copyLayerMessage(message: ChannelLayerMessage): ChannelLayerMessage {
  const type: unknown =
    typeof message === 'object' && message !== null && !Array.isArray(message)
      ? message.type
      : undefined;
  if (typeof type !== 'string' || type === '') {
    throw new WsgateError(
      'INVALID_MESSAGE',
      'a channel-layer message must be an object with a non-empty string `type` that names ' +
        `its handler, e.g. { type: 'chat.message', text }; got ${describeValue(message)}.`,
    );
  }
  // Checked here for every layer, so a message the in-memory layer takes also crosses Redis.
  const result = portableCopy(message);
  if (result.ok) return result.copy as ChannelLayerMessage;
  throw new WsgateError(
    'INVALID_MESSAGE',
    `the ${JSON.stringify(type)} message cannot be copied: ${result.problem}. Send JSON data ` +
      '(plain objects, arrays, strings, finite numbers, booleans, null) and Uint8Array bytes; ' +
      'turn dates into ISO strings and Maps into objects.',
  );
}

function describeName(name: unknown): string {
  if (typeof name !== 'string') return `of type ${typeof name}`;
  return name.length > 120 ? `${JSON.stringify(name.slice(0, 120))}...` : JSON.stringify(name);
}

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  const type = (value as { type?: unknown }).type;
  return type === undefined ? 'an object without `type`' : `type ${JSON.stringify(type)}`;
}

/** The error for a send to a channel holding `capacity` unread messages, the same in every layer. */
export function channelFullError(channel: string, capacity: number): WsgateError {
  return new WsgateError(
    'CHANNEL_FULL',
    `channel ${JSON.stringify(channel)} holds ${capacity} unread messages: its ` +
      'consumer is not keeping up or is gone. Retry later, or raise `capacity`.',
  );
}
