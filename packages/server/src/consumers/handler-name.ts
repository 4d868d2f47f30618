/**
 * How a channel-layer message finds its consumer method: `chat.message` (or `chat_message`)
 * calls `chatMessage`. Anyone who can send on the layer can pick the method, so the mapping is
 * strict: malformed types and the consumer's own built-in methods are refused.
 */
import { WsgateError } from '../errors.js';

const typePattern = /^[a-zA-Z][a-zA-Z\d]*(?:[._][a-zA-Z\d]+)*$/;
const separator = /[._]([a-zA-Z\d])/g;

/** Methods the layer may never call: the base classes' own, and Object's. */
const builtIns = new Set<string>(Object.getOwnPropertyNames(Object.prototype));

/** Few distinct types flow through a layer; remember their names (bounded all the same). */
const cache = new Map<string, string>();
const cacheLimit = 1000;

/** Marks every method of a base consumer class as not callable from the channel layer. */
export function reserveBuiltInMethods(prototype: object): void {
  for (const name of Object.getOwnPropertyNames(prototype)) builtIns.add(name);
  cache.clear();
}

/**
 * The handler method name for a message `type`. Throws `NO_HANDLER` for a type that is
 * malformed or that would name a built-in method.
 *
 * @example
 * handlerName('chat.message'); // 'chatMessage'
 */
export function handlerName(type: string): string {
  const cached = cache.get(type);
  if (cached !== undefined) return cached;
  if (!typePattern.test(type)) {
    throw new WsgateError(
      'NO_HANDLER',
      `malformed channel-layer message type ${JSON.stringify(type.slice(0, 100))}: use words ` +
        "of letters and digits joined by '.' or '_', starting with a letter (e.g. 'chat.message').",
    );
  }
  const name = type.replace(separator, (_match, first: string) => first.toUpperCase());
  if (builtIns.has(name)) {
    throw new WsgateError(
      'NO_HANDLER',
      `channel-layer message type ${JSON.stringify(type)} maps to ${name}(), a built-in ` +
        'consumer method the channel layer may not call; give the message another type.',
    );
  }
  if (cache.size < cacheLimit) cache.set(type, name);
  return name;
}
