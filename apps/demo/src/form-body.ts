import type { HttpScope, Receive } from '@wsgate/server';

/** Sign-in forms are tiny; anything bigger is not one of ours. */
const maxBodyBytes = 4096;

/** What a form carried, or why it cannot be read. */
export type FormResult =
  | { readonly ok: true; readonly fields: ReadonlyMap<string, string> }
  | { readonly ok: false; readonly status: 400 | 413 | 415; readonly message: string };

function header(scope: HttpScope, name: string): string {
  return scope.headers.find(([key]) => key === name)?.[1] ?? '';
}

function fromJson(text: string): ReadonlyMap<string, string> | null {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
    const strings = Object.entries(value).filter(([, field]) => typeof field === 'string');
    return new Map(strings as [string, string][]);
  } catch {
    return null;
  }
}

/**
 * The fields of a POSTed form: `application/x-www-form-urlencoded` (an HTML form) or
 * `application/json` (a script); string fields only.
 *
 * @example
 * const form = await readForm(scope, receive);
 * if (!form.ok) return replyError(send, form.status, form.message);
 * const username = form.fields.get('username') ?? '';
 */
export async function readForm(scope: HttpScope, receive: Receive): Promise<FormResult> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const event = await receive();
    if (event.type !== 'http.request') break;
    size += event.body.byteLength;
    if (size > maxBodyBytes) {
      return { ok: false, status: 413, message: `a form is at most ${maxBodyBytes} bytes` };
    }
    chunks.push(event.body);
    if (!event.moreBody) break;
  }
  const text = Buffer.concat(chunks).toString('utf8');
  const type = header(scope, 'content-type').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') {
    return { ok: true, fields: new Map(new URLSearchParams(text)) };
  }
  if (type === 'application/json') {
    const fields = fromJson(text);
    if (fields) return { ok: true, fields };
    return { ok: false, status: 400, message: 'the body is not a JSON object' };
  }
  return {
    ok: false,
    status: 415,
    message: 'send the form as application/x-www-form-urlencoded or application/json',
  };
}
