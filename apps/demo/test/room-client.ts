/// <reference types="node" />
/**
 * A chat room from Node, the way the page uses it: the wsgate client (the Origin and cookie a
 * browser would send), with every application frame and client error kept in order, and
 * bounded waits for the next one of a type.
 */
import { createClient } from '@wsgate/client';
import type { WsgateClient } from '@wsgate/client';

/**
 * What the room sent, or what the client raised: `client-error` (e.g. an `error` frame) or
 * `client-revoked` (the session was revoked: `auth.revoked`, or a 4403 close).
 */
export interface Received {
  readonly type: string;
  readonly [field: string]: unknown;
}

const waitMs = 10_000;

export interface RoomClient {
  readonly client: WsgateClient;
  /** The next frame of `type` (earlier ones of other types stay queued); bounded. */
  next(type: string, where?: (frame: Received) => boolean): Promise<Received>;
  /** Frames received and not yet taken by `next`. */
  readonly pending: readonly Received[];
  close(): void;
}

/**
 * Joins `room` on the server at `base` (`http://127.0.0.1:<port>`), with a cookie if given.
 *
 * @example
 * const ada = await joinRoom(base, 'lobby', { cookie });
 * ada.client.sendJson({ type: 'say', text: 'hi' });
 * expect(await ada.next('message')).toMatchObject({ from: 'ada', text: 'hi' });
 */
export async function joinRoom(
  base: string,
  room: string,
  options: { cookie?: string } = {},
): Promise<RoomClient> {
  const client = createClient({
    url: `${base}/ws/chat/${room}/`,
    headers: { origin: base, ...(options.cookie === undefined ? {} : { cookie: options.cookie }) },
    reconnect: false,
    heartbeatMs: 0,
  });
  const pending: Received[] = [];
  const waiters = new Set<() => void>();
  const arrived = (frame: Received) => {
    pending.push(frame);
    for (const wake of waiters) wake();
  };
  client.on('message', (data) => {
    if (typeof data === 'string') arrived(JSON.parse(data) as Received);
  });
  client.on('error', (error) =>
    arrived({ type: 'client-error', code: error.code, message: error.message }),
  );
  client.on('revoked', ({ reason }) => arrived({ type: 'client-revoked', reason }));

  const next = (type: string, where: (frame: Received) => boolean = () => true) =>
    new Promise<Received>((resolve, reject) => {
      const look = () => {
        const index = pending.findIndex((frame) => frame.type === type && where(frame));
        if (index < 0) return;
        cleanup();
        resolve(pending.splice(index, 1)[0] as Received);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(
            `no '${type}' frame within ${waitMs} ms in ${room}; got ${JSON.stringify(pending)}`,
          ),
        );
      }, waitMs);
      const cleanup = () => {
        clearTimeout(timer);
        waiters.delete(look);
      };
      waiters.add(look);
      look();
    });

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${room} did not open within ${waitMs} ms`)),
      waitMs,
    );
    client.on('open', () => {
      clearTimeout(timer);
      resolve();
    });
    client.on('close', ({ code, reason }) => {
      clearTimeout(timer);
      reject(new Error(`${room} closed with ${code} ${reason}`));
    });
  });
  return { client, next, pending, close: () => client.close() };
}

/** The `name=value` of the session cookie a response set, for a Cookie header. */
export function sessionCookie(response: Response): string {
  const cookie = response.headers.getSetCookie().find((each) => each.startsWith('wsgate.session='));
  if (cookie === undefined) throw new Error(`no session cookie set (status ${response.status})`);
  return cookie.split(';')[0] as string;
}

/** POSTs a form as a script would (JSON in, JSON out), with this site's Origin. */
export function postForm(
  base: string,
  path: string,
  fields: Readonly<Record<string, string>>,
  cookie?: string,
): Promise<Response> {
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: {
      origin: base,
      accept: 'application/json',
      'content-type': 'application/json',
      ...(cookie === undefined ? {} : { cookie }),
    },
    body: JSON.stringify(fields),
  });
}
