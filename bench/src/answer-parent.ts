import { isRequestMessage } from './ipc-messages.js';
import type { ChildMessage, ReadyMessage } from './ipc-messages.js';

/** What a child does with one request; `stop` is answered by `answerParent` itself. */
export type RequestHandler = (request: { readonly type: string }) => Promise<unknown>;

function sendToParent(message: ChildMessage, then?: () => void): void {
  if (process.send === undefined) {
    throw new Error(
      'bench: this module is a child process entry; run it through `npm run bench`, not directly.',
    );
  }
  process.send(message, undefined, {}, (error) => {
    if (error) {
      console.error('bench: could not reach the parent process:', error);
      process.exit(1);
    }
    then?.();
  });
}

function hasType(value: unknown): value is { readonly type: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { type?: unknown }).type === 'string'
  );
}

/**
 * The child's half of the IPC envelope: announce readiness, answer requests in order, and
 * exit 0 after `stop` (once `onStop` has released what the child holds). A handler that
 * throws is answered with the error's message, so the parent can fail loudly with it.
 *
 * @example
 * answerParent({ kind: 'ready', port }, handle, () => server.close());
 */
export function answerParent(
  ready: ReadyMessage,
  handle: RequestHandler,
  onStop: () => Promise<void>,
): void {
  // The parent going away must take the child with it, or a crashed run leaks servers.
  process.on('disconnect', () => process.exit(1));
  process.on('message', (message: unknown) => {
    if (!isRequestMessage(message) || !hasType(message.request)) {
      console.error('bench: a child received a malformed request:', message);
      process.exit(1);
    }
    const { id, request } = message;
    // Through a promise, so a handler that throws synchronously is answered, not a crash.
    const work = Promise.resolve(request).then((body) =>
      body.type === 'stop' ? onStop().then(() => null) : handle(body),
    );
    work.then(
      (result) =>
        sendToParent({ kind: 'reply', id, ok: true, result }, () => {
          if (request.type === 'stop') process.exit(0);
        }),
      (error: unknown) =>
        sendToParent({
          kind: 'reply',
          id,
          ok: false,
          error: error instanceof Error ? (error.stack ?? error.message) : String(error),
        }),
    );
  });
  sendToParent(ready);
}
