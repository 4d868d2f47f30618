/**
 * Classifies a text frame as application data, a valid control message, or an invalid one.
 * Never throws: hostile input ends as `{ kind: 'invalid' }` with a code and an actionable
 * message.
 */
import { ErrorCode } from './error-codes.js';
import type { ClientMessage, RequestId, ServerMessage, WireError } from './messages.js';
import { isControlType } from './messages.js';

export type ParsedFrame<M> =
  | { readonly kind: 'app' }
  | { readonly kind: 'control'; readonly message: M }
  | { readonly kind: 'invalid'; readonly id?: RequestId; readonly error: WireError };

type Fields = Readonly<Record<string, unknown>>;
/** Returns what is wrong with a message of a known type, or undefined when it is valid. */
type Check = (message: Fields) => string | undefined;

function isRequestId(value: unknown): value is RequestId {
  return (
    (typeof value === 'string' && value.length > 0 && value.length <= 128) ||
    (typeof value === 'number' && Number.isSafeInteger(value))
  );
}

const request: Check = (m) =>
  isRequestId(m.id)
    ? undefined
    : '`id` must be a non-empty string (at most 128 characters) or an integer';

const field =
  (name: string, type: 'string' | 'number' | 'boolean'): Check =>
  (m) =>
    typeof m[name] === type && (type !== 'number' || Number.isFinite(m[name]))
      ? undefined
      : `\`${name}\` must be a ${type}`;

const optional =
  (name: string, check: Check): Check =>
  (m) =>
    m[name] === undefined ? undefined : check(m);

const all =
  (...checks: Check[]): Check =>
  (m) => {
    for (const check of checks) {
      const problem = check(m);
      if (problem !== undefined) return problem;
    }
    return undefined;
  };

const clientChecks: Record<ClientMessage['type'], Check> = {
  'auth.login': all(request, (m) =>
    m.credentials === undefined || m.credentials === null ? '`credentials` is required' : undefined,
  ),
  'auth.logout': request,
  'auth.whoami': request,
  'session.refresh': request,
  'session.ping': request,
};

const isWireError = (v: unknown): boolean =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as Fields).code === 'string' &&
  typeof (v as Fields).message === 'string';

const serverChecks: Record<ServerMessage['type'], Check> = {
  'auth.result': all(request, field('ok', 'boolean'), (m) =>
    m.error === undefined || isWireError(m.error) ? undefined : '`error` must be {code, message}',
  ),
  'session.updated': all(field('ticket', 'string'), field('expiresAt', 'number')),
  'session.expiring': field('expiresAt', 'number'),
  'session.pong': request,
  'auth.revoked': field('reason', 'string'),
  'auth.expired': () => undefined,
  'auth.error': all(
    field('code', 'number'),
    field('message', 'string'),
    optional('retryAfterMs', field('retryAfterMs', 'number')),
  ),
  error: all(field('code', 'string'), field('message', 'string')),
};

function parseFrame<M>(
  text: string,
  checks: Readonly<Record<string, Check>>,
  side: 'client' | 'server',
): ParsedFrame<M> {
  // Most frames are application data: skip JSON.parse when no reserved type can be inside.
  if (!text.includes('auth.') && !text.includes('session.') && !text.includes('"error"')) {
    return { kind: 'app' };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'app' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { kind: 'app' };
  const message = value as Fields;
  if (typeof message.type !== 'string' || !isControlType(message.type)) return { kind: 'app' };
  const id = isRequestId(message.id) ? { id: message.id } : {};
  const check = Object.hasOwn(checks, message.type) ? checks[message.type] : undefined;
  if (!check) {
    return {
      kind: 'invalid',
      ...id,
      error: {
        code: ErrorCode.unknownType,
        message: `'${message.type.slice(0, 64)}' is not a message a ${side} sends; known types: ${Object.keys(checks).join(', ')}`,
      },
    };
  }
  const problem = check(message);
  if (problem !== undefined) {
    return {
      kind: 'invalid',
      ...id,
      error: { code: ErrorCode.badMessage, message: `${message.type}: ${problem}` },
    };
  }
  return { kind: 'control', message: message as M };
}

/**
 * What the server makes of a text frame from a client.
 *
 * @example
 * const frame = parseClientMessage(text);
 * if (frame.kind === 'app') return passToApplication(text);
 * if (frame.kind === 'invalid') return reply({ type: 'error', ...frame.error });
 * handle(frame.message);
 */
export function parseClientMessage(text: string): ParsedFrame<ClientMessage> {
  return parseFrame(text, clientChecks, 'client');
}

/**
 * What the client makes of a text frame from the server.
 *
 * @example
 * const frame = parseServerMessage(event.data);
 * if (frame.kind === 'control' && frame.message.type === 'auth.revoked') signOut();
 */
export function parseServerMessage(text: string): ParsedFrame<ServerMessage> {
  return parseFrame(text, serverChecks, 'server');
}
