/**
 * Waiting helpers for integration tests: every wait is for an event or a condition, and every
 * wait is bounded, so a broken client fails the test instead of hanging it.
 */
import type { ClientEvents, WsgateClient } from '../src/index.js';

const BOUND_MS = 5_000;

/** The next `event` (matching `accept`, if given) from `client`. */
export function nextEvent<E extends keyof ClientEvents>(
  client: WsgateClient,
  event: E,
  accept: (payload: ClientEvents[E]) => boolean = () => true,
  timeoutMs = BOUND_MS,
): Promise<ClientEvents[E]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`no '${String(event)}' event within ${timeoutMs} ms`));
    }, timeoutMs);
    const stop = client.on(event, (payload) => {
      if (!accept(payload)) return;
      clearTimeout(timer);
      stop();
      resolve(payload);
    });
  });
}

/** Resolves once `client.state` is `state`. */
export function stateReached(client: WsgateClient, state: WsgateClient['state']): Promise<void> {
  if (client.state === state) return Promise.resolve();
  return nextEvent(client, 'state', (change) => change.state === state).then(() => undefined);
}

/** Polls a condition that no event announces (e.g. what the server received). */
export async function until(
  check: () => boolean,
  what: string,
  timeoutMs = BOUND_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Records events in order, for assertions on sequences. */
export function record<E extends keyof ClientEvents>(
  client: WsgateClient,
  events: readonly E[],
): [E, ClientEvents[E]][] {
  const log: [E, ClientEvents[E]][] = [];
  for (const event of events) client.on(event, (payload) => log.push([event, payload]));
  return log;
}
