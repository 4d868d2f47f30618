/**
 * The load generator's process: answers the requests of every load module. A new load
 * module adds its handlers here.
 */
import { answerParent } from '../answer-parent.js';
import { authHandlers } from './auth-handshakes.js';
import { echoHandlers } from './echo.js';
import { fanoutHandlers } from './fanout.js';
import { handshakeHandlers } from './handshakes.js';
import { idleHandlers } from './idle-memory.js';
import { stormHandlers } from './reconnect-storm.js';
import { sessionCookieHandlers } from './session-cookies.js';

// Each handler narrows its own request; the parent sends only what the module defines.
const handlers: Readonly<Record<string, (request: never) => Promise<unknown>>> = {
  ...handshakeHandlers,
  ...echoHandlers,
  ...idleHandlers,
  ...sessionCookieHandlers,
  ...authHandlers,
  ...fanoutHandlers,
  ...stormHandlers,
};

answerParent(
  { kind: 'ready' },
  (request) => {
    const handler = handlers[request.type];
    if (handler === undefined) {
      return Promise.reject(
        new Error(`bench: the load child has no handler for '${request.type}'.`),
      );
    }
    return handler(request as never);
  },
  // Every measurement closes its own connections; nothing is left to release.
  () => Promise.resolve(),
);
