/**
 * The envelope between the orchestrator and its children (servers and load generators).
 * Children answer one request at a time with the request's id, so a reply can never be
 * mistaken for another's, and a child that dies leaves a rejected request, not a hang.
 */
export interface ReadyMessage {
  readonly kind: 'ready';
  /** For a server child: the port it listens on (127.0.0.1). */
  readonly port?: number;
}

export interface RequestMessage {
  readonly kind: 'request';
  readonly id: number;
  readonly request: unknown;
}

export type ReplyMessage =
  | { readonly kind: 'reply'; readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly kind: 'reply'; readonly id: number; readonly ok: false; readonly error: string };

export type ChildMessage = ReadyMessage | ReplyMessage;

/** A request every child understands: close what it holds and exit 0. */
export interface StopRequest {
  readonly type: 'stop';
}

/** Narrows what arrives on the IPC channel; anything else is a bug in the harness. */
export function isChildMessage(value: unknown): value is ChildMessage {
  if (typeof value !== 'object' || value === null) return false;
  const kind = (value as { kind?: unknown }).kind;
  return kind === 'ready' || kind === 'reply';
}

export function isRequestMessage(value: unknown): value is RequestMessage {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === 'request' &&
    typeof (value as { id?: unknown }).id === 'number'
  );
}
