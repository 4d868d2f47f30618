/// <reference types="node" />
/**
 * The fixture the integration tests share: vitest's `it`, extended so that a test asks for a
 * fresh ProtocolServer on 127.0.0.1 (which it may close and restart on the same port) and for
 * clients of it, and both are closed after the test, clients first.
 */
import { it } from 'vitest';
import type { ClientOptions, WsgateClient } from '../src/index.js';
import { createClient } from '../src/index.js';
import { ProtocolServer } from './protocol-server.js';

export interface ServerTestContext {
  /** This test's server; `server.close()` then `server.restart()` is a restart on its port. */
  readonly server: ProtocolServer;
  /**
   * A client of `server`, reconnecting fast and predictably (delays of 10, 20, 20… ms) unless
   * `options` say otherwise. Errors a test does not record are expected: they are not printed.
   */
  readonly connect: (options?: Partial<ClientOptions>) => WsgateClient;
}

/**
 * @example
 * import { serverTest as it } from './server-test.js';
 *
 * it('reconnects after a restart', async ({ server, connect }) => {
 *   const client = connect();
 *   await nextEvent(client, 'open');
 *   await server.close();
 *   await server.restart();
 *   await nextEvent(client, 'open');
 * });
 */
export const serverTest = it.extend<ServerTestContext>({
  // eslint-disable-next-line no-empty-pattern -- vitest reads the fixture's dependencies from it
  server: async ({}, use) => {
    const server = await ProtocolServer.start();
    await use(server);
    await server.close();
  },
  connect: async ({ server }, use) => {
    const clients: WsgateClient[] = [];
    await use((options = {}) => {
      const client = createClient({
        url: server.url,
        reconnect: { baseMs: 20, capMs: 40, random: () => 0.5 },
        ...options,
      });
      client.on('error', () => undefined);
      clients.push(client);
      return client;
    });
    for (const client of clients) client.close();
  },
});
