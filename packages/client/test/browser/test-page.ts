/**
 * The page the browser tests drive (bundled for Chromium, not run by Node): it starts a client
 * the way an application would, records every event the client emits, and shows the client's
 * state, user and recent events, so that tests wait on what a UI could show and screenshots
 * show what happened. Query parameters: `socket` (the WebSocket path, default `/ws/`),
 * `baseMs`/`capMs` for the reconnect backoff, and `crossTab=0` to leave other tabs alone.
 */
import type { ClientEvents, WsgateClient } from '../../src/index.js';
import { createClient } from '../../src/index.js';

/** One event the client emitted, with a serialisable summary of its payload. */
export interface PageEvent {
  readonly event: keyof ClientEvents;
  readonly detail: unknown;
}

/** What the page exposes to tests as `window.wsgateTest`. */
export interface TestPageHandle {
  readonly client: WsgateClient;
  /** Every event since the page loaded, in order. */
  readonly events: PageEvent[];
}

declare global {
  interface Window {
    wsgateTest: TestPageHandle;
  }
}

const recorded: readonly (keyof ClientEvents)[] = [
  'state',
  'open',
  'close',
  'reconnecting',
  'user',
  'revoked',
  'expired',
  'message',
  'error',
];

function summary(payload: unknown): unknown {
  if (payload instanceof Error) {
    return { code: (payload as Error & { code?: unknown }).code, message: payload.message };
  }
  if (payload instanceof ArrayBuffer) return `<${payload.byteLength} bytes>`;
  return payload;
}

function numberParam(params: URLSearchParams, name: string): number | undefined {
  const value = params.get(name);
  return value === null ? undefined : Number(value);
}

function element(id: string): HTMLElement {
  const found = document.getElementById(id);
  if (!found) throw new Error(`the test page has no #${id}`);
  return found;
}

function render(handle: TestPageHandle): void {
  const { client, events } = handle;
  const state = element('state');
  state.textContent = client.state;
  state.dataset.state = client.state;
  element('user').textContent = client.user ? JSON.stringify(client.user) : 'anonymous';
  element('log').replaceChildren(
    ...events.slice(-14).map(({ event, detail }) => {
      const line = document.createElement('li');
      line.textContent = `${event} ${detail === undefined ? '' : JSON.stringify(detail)}`;
      return line;
    }),
  );
}

const params = new URLSearchParams(location.search);
const baseMs = numberParam(params, 'baseMs');
const capMs = numberParam(params, 'capMs');
const client = createClient({
  url: params.get('socket') ?? '/ws/',
  reconnect: {
    ...(baseMs === undefined ? {} : { baseMs }),
    ...(capMs === undefined ? {} : { capMs }),
  },
  ...(params.get('crossTab') === '0' ? { crossTab: false } : {}),
});
const handle: TestPageHandle = { client, events: [] };
for (const event of recorded) {
  client.on(event, (payload: unknown) => {
    handle.events.push({ event, detail: summary(payload) });
    render(handle);
  });
}
window.wsgateTest = handle;
render(handle);
