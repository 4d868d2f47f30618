import type { Application, HttpScope, WebSocketScope, WithSession } from '@wsgate/shared';
import { describe, expect, it } from 'vitest';
import { WsgateError } from '../errors.js';
import type { Logger } from '../logger.js';
import { HttpCommunicator } from '../testing/http-communicator.js';
import { WebsocketCommunicator } from '../testing/websocket-communicator.js';
import { InMemoryRevocationStore } from './in-memory-revocation-store.js';
import { sessionMiddlewareStack } from './session-middleware-stack.js';

const password = 'a-test-password-of-at-least-32-characters';

/** A store of the application's own (a database, say) that can go away. */
class FlakyStore extends InMemoryRevocationStore {
  down = false;

  override isRevoked(sessionId: string): boolean {
    if (this.down) throw new WsgateError('STORE_UNAVAILABLE', 'the database is away');
    return super.isRevoked(sessionId);
  }
}

function recording(): Logger & { lines: Array<[string, string]> } {
  const lines: Array<[string, string]> = [];
  const at = (level: string) => (message: string) => void lines.push([level, message]);
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Remembers a visit in the session (so the response sets a cookie) and answers 200. */
const visits: Application<HttpScope & WithSession> = async (scope, receive, send) => {
  await receive();
  scope.session.set('visited', true);
  await send({ type: 'http.response.start', status: 200, headers: [] });
  await send({ type: 'http.response.body' });
};

const accepting: Application<WebSocketScope & WithSession> = async (_scope, receive, send) => {
  await receive();
  await send({ type: 'websocket.accept' });
};

async function get(app: Application<HttpScope>, cookie?: string) {
  const headers: Array<[string, string]> = cookie === undefined ? [] : [['cookie', cookie]];
  return new HttpCommunicator(app, 'GET', '/', { headers }).getResponse();
}

describe('sessionMiddleware while its revocation store fails', () => {
  it('refuses requests with a cookie (503, 1013), serves the rest, and logs the outage once', async () => {
    const store = new FlakyStore();
    const logger = recording();
    const options = { password, revocationStore: store, logger };
    const http = sessionMiddlewareStack(visits, options);
    const websocket = sessionMiddlewareStack(accepting, options);
    const first = await get(http);
    const cookie = first.headers.find(([name]) => name === 'set-cookie')?.[1].split(';')[0];

    store.down = true;
    for (const attempt of [1, 2]) {
      const refused = await get(http, cookie);
      expect(refused.status, `request ${attempt}`).toBe(503);
      expect(refused.headers).toContainEqual(['retry-after', '5']);
      expect(JSON.parse(new TextDecoder().decode(refused.body))).toEqual({
        code: 'SESSION_STORE_UNAVAILABLE',
        message: expect.stringMatching(/try again/),
      });
    }
    const socket = new WebsocketCommunicator(websocket, '/ws/', {
      headers: [['cookie', cookie as string]],
    });
    expect(await socket.connect()).toEqual([false, 1013]);
    expect((await get(http)).status).toBe(200);
    // Both stacks share the store, so the outage is one warning between them.
    expect(logger.lines.filter(([level]) => level === 'warn')).toEqual([
      ['warn', expect.stringMatching(/^sessionMiddleware cannot check sessions/)],
    ]);

    store.down = false;
    expect((await get(http, cookie)).status).toBe(200);
    expect(logger.lines.filter(([level]) => level === 'info')).toEqual([
      ['info', expect.stringMatching(/checks sessions again: .* 3 requests were refused$/)],
    ]);
    expect(logger.lines.filter(([level]) => level === 'error')).toEqual([]);
  });
});
