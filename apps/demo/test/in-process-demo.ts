/// <reference types="node" />
/**
 * The demo's application (server.ts) on a real socket in this process, with a throwaway
 * in-memory database: for tests that need the whole stack but not a process of their own.
 */
import { serve } from '@wsgate/server';
import { chooseBackends } from '../src/backends.js';
import { openDatabase } from '../src/database.js';
import { demoApp } from '../src/server.js';
import { UserStore } from '../src/user-store.js';

export interface InProcessDemo {
  /** `http://127.0.0.1:<port>`. */
  readonly base: string;
  readonly users: UserStore;
  close(): Promise<void>;
}

/**
 * @example
 * const demo = await startInProcess();
 * await postForm(demo.base, '/auth/signup', { username: 'ada', password: 'lovelace-1815' });
 * await demo.close();
 */
export async function startInProcess(): Promise<InProcessDemo> {
  const db = openDatabase(':memory:');
  const users = new UserStore(db);
  const backends = chooseBackends({}, db);
  const { channelLayer, revocationStore, loginThrottleStore, health } = backends;
  const page = {
    body: new TextEncoder().encode('<!doctype html><title>wsgate chat</title>'),
    type: 'text/html',
  };
  const app = demoApp({
    users,
    session: {
      password: 'in-process-demo-session-password-0123456789',
      revocationStore,
      channelLayer,
    },
    loginThrottleStore,
    health,
    allowedHosts: ['127.0.0.1'],
    pages: new Map([['/index.html', page]]),
  });
  const server = await serve(app);
  return {
    base: server.url,
    users,
    async close() {
      await server.close();
      await backends.close();
      db.close();
    },
  };
}
