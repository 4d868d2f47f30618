import type { Header, HttpScope, Send } from '@wsgate/server';
import { isRoomName } from './room-name.js';

/** How a form post ended: who is signed in now, or an error the page can show. */
export type FormOutcome =
  | { readonly ok: true; readonly user: { readonly id: string; readonly username: string } | null }
  | {
      readonly ok: false;
      readonly status: number;
      /** Stable, for scripts and for the page's `?error=` messages. */
      readonly code: string;
      readonly message: string;
      readonly retryAfterMs?: number;
    };

function wantsJson(scope: HttpScope): boolean {
  return scope.headers.some(([name, value]) => name === 'accept' && value.includes('json'));
}

/**
 * Answers a form post: JSON for scripts (`Accept: application/json`), or, for an HTML form, a
 * 303 back to the page (`/#room`, `?error=<code>` on failure), which the browser loads with the
 * cookie the response set. `room` only ever names a room, so the redirect cannot leave the site.
 *
 * @example
 * await replyToForm(scope, send, { ok: true, user }, form.get('room'));
 */
export async function replyToForm(
  scope: HttpScope,
  send: Send,
  outcome: FormOutcome,
  room: string | undefined,
): Promise<void> {
  const retry: Header[] =
    !outcome.ok && outcome.retryAfterMs !== undefined
      ? [['retry-after', String(Math.ceil(outcome.retryAfterMs / 1000))]]
      : [];
  if (wantsJson(scope)) {
    const body = outcome.ok
      ? { ok: true, user: outcome.user }
      : { ok: false, error: { code: outcome.code, message: outcome.message } };
    await send({
      type: 'http.response.start',
      status: outcome.ok ? 200 : outcome.status,
      headers: [['content-type', 'application/json'], ['cache-control', 'no-store'], ...retry],
    });
    await send({ type: 'http.response.body', body: Buffer.from(JSON.stringify(body)) });
    return;
  }
  const query = outcome.ok ? '' : `?error=${encodeURIComponent(outcome.code)}`;
  const fragment = isRoomName(room) ? `#${room}` : '';
  await send({
    type: 'http.response.start',
    status: 303,
    headers: [['location', `/${query}${fragment}`], ['cache-control', 'no-store'], ...retry],
  });
  await send({ type: 'http.response.body' });
}
