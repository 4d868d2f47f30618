/**
 * The HTTP plumbing of the session endpoint: refusals as a status with a short JSON body
 * `{code, message}`, and a request body read whole, but never more than a ticket needs.
 */
import type { Header, HttpScope, Receive, Send } from '@wsgate/shared';

/** A refusal the endpoint answers with, as its status and JSON body. */
export class EndpointRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: readonly Header[] = [],
  ) {
    super(message);
  }
}

/** Tickets are under 4096 characters; anything much longer is not one. */
export const maxBodyBytes = 8 * 1024;

const encoder = new TextEncoder();

/** One whole response: `body` as JSON, or none. Never cached: it carries a session. */
export async function respond(
  send: Send,
  status: number,
  headers: readonly Header[],
  body?: { readonly code: string; readonly message: string },
): Promise<void> {
  const json = body === undefined ? undefined : JSON.stringify(body);
  await send({
    type: 'http.response.start',
    status,
    headers: [
      ...headers,
      ['cache-control', 'no-store'],
      ...(json === undefined ? [] : [['content-type', 'application/json'] as const]),
    ],
  });
  await send({
    type: 'http.response.body',
    ...(json === undefined ? {} : { body: encoder.encode(json) }),
  });
}

/** The value of `name`, when the request has exactly one such header. */
export function singleHeader(scope: HttpScope, name: string): string | undefined {
  const values = scope.headers.filter(([key]) => key === name);
  return values.length === 1 ? values[0]?.[1] : undefined;
}

/** `{ ticket }` from a JSON body; refuses other types, oversized or malformed bodies. */
export async function readTicketBody(scope: HttpScope, receive: Receive): Promise<string> {
  const type = singleHeader(scope, 'content-type')?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new EndpointRefusal(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      'send the ticket as JSON: content-type application/json, body {"ticket": "..."}',
    );
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const event = await receive();
    if (event.type === 'http.disconnect') {
      throw new EndpointRefusal(400, 'BAD_MESSAGE', 'the request ended before its body');
    }
    if (event.type !== 'http.request') continue;
    size += event.body.byteLength;
    if (size > maxBodyBytes) {
      throw new EndpointRefusal(413, 'MESSAGE_TOO_BIG', `the body is over ${maxBodyBytes} bytes`);
    }
    chunks.push(event.body);
    if (!event.moreBody) break;
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new EndpointRefusal(400, 'BAD_MESSAGE', 'the body is not JSON: send {"ticket": "..."}');
  }
  const ticket = (body as { ticket?: unknown } | null)?.ticket;
  if (typeof ticket !== 'string' || ticket === '') {
    throw new EndpointRefusal(
      400,
      'BAD_MESSAGE',
      'the body needs a `ticket` string: the one from session.updated',
    );
  }
  return ticket;
}
