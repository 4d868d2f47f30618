/**
 * What an application may send, checked before any of it touches a socket. Applications can be
 * plain JavaScript, so events are taken as `unknown`; a malformed one rejects the
 * application's `send()` with a WsgateError (PROTOCOL_VIOLATION) that says what to fix.
 */
import type { Header } from '@wsgate/shared';
import { ServerErrorCode, WsgateError } from '../errors.js';

/** A WebSocket event that passed the checks, with defaults filled in. */
export type CheckedWebSocketEvent =
  | {
      readonly type: 'websocket.accept';
      readonly subprotocol: string | null;
      readonly headers: readonly Header[];
    }
  | { readonly type: 'websocket.send'; readonly data: string | Uint8Array }
  | {
      readonly type: 'websocket.close';
      readonly code: number | undefined;
      readonly reason: string;
    };

/** An HTTP event that passed the checks, with defaults filled in. */
export type CheckedHttpEvent =
  | { readonly type: 'http.response.start'; readonly status: number; readonly headers: Header[] }
  | { readonly type: 'http.response.body'; readonly body: Uint8Array; readonly moreBody: boolean };

const token = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// What Node accepts in a header value: no control characters, so no response splitting.
const headerValue = /^[\t\x20-\x7e\x80-\xff]*$/;
// Headers ws writes for the handshake itself; letting an application set them would break it.
const handshakeHeaders = new Set([
  'upgrade',
  'connection',
  'sec-websocket-accept',
  'sec-websocket-protocol',
  'sec-websocket-extensions',
]);
const maxCloseReasonBytes = 123;

function violation(message: string): WsgateError {
  return new WsgateError(ServerErrorCode.protocolViolation, message);
}

function record(event: unknown): Record<string, unknown> {
  if (typeof event !== 'object' || event === null) {
    throw violation(`an event must be an object with a type, got ${String(event)}.`);
  }
  return event as Record<string, unknown>;
}

function checkHeaders(value: unknown, where: string): Header[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    throw violation(`${where} headers must be an array of [name, value] pairs.`);
  }
  return value.map((pair: unknown): Header => {
    const [name, text] = Array.isArray(pair) ? (pair as unknown[]) : [];
    if (typeof name !== 'string' || !token.test(name)) {
      throw violation(`${where} has an invalid header name ${JSON.stringify(name)}.`);
    }
    if (typeof text !== 'string' || !headerValue.test(text)) {
      throw violation(
        `${where} header ${name} needs a string value without control characters (CR, LF).`,
      );
    }
    return [name.toLowerCase(), text];
  });
}

function isValidCloseCode(code: number): boolean {
  return (
    (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) ||
    (code >= 3000 && code <= 4999)
  );
}

function checkAccept(event: Record<string, unknown>, offered: readonly string[]) {
  const subprotocol = event.subprotocol ?? null;
  if (subprotocol !== null && (typeof subprotocol !== 'string' || !offered.includes(subprotocol))) {
    throw violation(
      `websocket.accept chose subprotocol ${JSON.stringify(subprotocol)}, which the client did ` +
        `not offer (offered: ${JSON.stringify(offered)}). Pick one of scope.subprotocols, or none.`,
    );
  }
  const headers = checkHeaders(event.headers, 'websocket.accept');
  const reserved = headers.find(([name]) => handshakeHeaders.has(name));
  if (reserved) {
    throw violation(
      `websocket.accept may not set ${reserved[0]}: the handshake owns it ` +
        '(choose a subprotocol with the subprotocol field).',
    );
  }
  return { type: 'websocket.accept', subprotocol, headers } as const;
}

function checkPayload(event: Record<string, unknown>, type: string): string | Uint8Array {
  const { text, bytes } = event;
  if (typeof text === 'string' && bytes === undefined) return text;
  if (bytes instanceof Uint8Array && text === undefined) return bytes;
  throw violation(`${type} needs exactly one of text (a string) and bytes (a Uint8Array).`);
}

function checkClose(event: Record<string, unknown>) {
  const { code, reason = '' } = event;
  if (code !== undefined && (!Number.isInteger(code) || !isValidCloseCode(code as number))) {
    throw violation(
      `websocket.close code ${JSON.stringify(code)} is not one a server may send: ` +
        'use 1000, 1001-1003, 1007-1014 or 3000-4999.',
    );
  }
  if (typeof reason !== 'string' || Buffer.byteLength(reason) > maxCloseReasonBytes) {
    throw violation(
      `websocket.close reason must be a string of at most ${maxCloseReasonBytes} bytes.`,
    );
  }
  return { type: 'websocket.close', code: code as number | undefined, reason } as const;
}

/**
 * Checks one event a WebSocket application sent; `offered` are the client's subprotocols.
 *
 * @example
 * checkWebSocketEvent({ type: 'websocket.send', text: 'hi' }, []); // { type: 'websocket.send', data: 'hi' }
 */
export function checkWebSocketEvent(
  event: unknown,
  offered: readonly string[],
): CheckedWebSocketEvent {
  const fields = record(event);
  switch (fields.type) {
    case 'websocket.accept':
      return checkAccept(fields, offered);
    case 'websocket.send':
      return { type: 'websocket.send', data: checkPayload(fields, 'websocket.send') };
    case 'websocket.close':
      return checkClose(fields);
    default:
      throw violation(
        `a WebSocket application cannot send ${JSON.stringify(fields.type)}; ` +
          'use websocket.accept, websocket.send or websocket.close.',
      );
  }
}

/**
 * Checks one event an HTTP application sent.
 *
 * @example
 * checkHttpEvent({ type: 'http.response.start', status: 200 }); // headers default to []
 */
export function checkHttpEvent(event: unknown): CheckedHttpEvent {
  const fields = record(event);
  if (fields.type === 'http.response.start') {
    const { status } = fields;
    if (!Number.isInteger(status) || (status as number) < 200 || (status as number) > 599) {
      throw violation(
        `http.response.start status must be an integer 200-599, got ${JSON.stringify(status)}.`,
      );
    }
    const headers = checkHeaders(fields.headers, 'http.response.start');
    return { type: 'http.response.start', status: status as number, headers };
  }
  if (fields.type === 'http.response.body') {
    const { body = new Uint8Array(0), moreBody = false } = fields;
    if (!(body instanceof Uint8Array) || typeof moreBody !== 'boolean') {
      throw violation('http.response.body needs body as a Uint8Array and moreBody as a boolean.');
    }
    return { type: 'http.response.body', body, moreBody };
  }
  throw violation(
    `an HTTP application cannot send ${JSON.stringify(fields.type)}; ` +
      'use http.response.start, then http.response.body.',
  );
}
