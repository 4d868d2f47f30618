// `npm start`: the demo, on embedded defaults or (REDIS_URL) as one of several nodes. Knobs:
// PORT, HOST, ALLOWED_HOSTS, DATA_DIR, SESSION_SECRET, REDIS_URL, REDIS_PREFIX (backends.ts).
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@wsgate/server';
import { chooseBackends } from './backends.js';
import { openDatabase } from './database.js';
import { sessionSecret } from './dev-secret.js';
import { demoApp } from './server.js';
import { readStaticFolder } from './static-files.js';
import { UserStore } from './user-store.js';

function port(value: string | undefined): number {
  const number = Number(value ?? 8000);
  if (Number.isSafeInteger(number) && number >= 0 && number < 65536) return number;
  throw new Error(`PORT must be a port number (0 picks a free one), not ${JSON.stringify(value)}`);
}

async function main(env: NodeJS.ProcessEnv): Promise<void> {
  // Nodes on one host share DATA_DIR: the users' SQLite file (WAL, and better-sqlite3's default
  // busy_timeout of 5 s makes a write wait for another process's write instead of failing
  // SQLITE_BUSY) and the generated dev secret, so every node opens every node's cookies. Start
  // one node before the others on a new DATA_DIR, or two could each generate a secret. On
  // several hosts, set the same SESSION_SECRET everywhere and keep the users in a shared DB.
  const dataDir = env.DATA_DIR || fileURLToPath(new URL('../data/', import.meta.url));
  const db = openDatabase(join(dataDir, 'demo.sqlite'));
  const backends = chooseBackends(env, db);
  console.log(`wsgate demo ${backends.description}`);
  const { channelLayer, revocationStore, loginThrottleStore, health } = backends;
  const password = sessionSecret(env.SESSION_SECRET, dataDir, console.warn);
  const app = demoApp({
    users: new UserStore(db),
    session: { password, revocationStore, channelLayer },
    loginThrottleStore,
    health,
    allowedHosts: env.ALLOWED_HOSTS?.split(',') ?? ['localhost', '127.0.0.1', '[::1]'],
    pages: await readStaticFolder(fileURLToPath(new URL('./public/', import.meta.url))),
  });
  const server = await serve(app, { port: port(env.PORT), host: env.HOST || '127.0.0.1' });
  console.log(`wsgate demo: open ${server.url.replace('//127.0.0.1:', '//localhost:')}/`);

  // The server first (its sockets' goodbyes still use the channel layer), then the backends,
  // then the database.
  const shutDown = async () => {
    try {
      await server.close();
    } finally {
      await backends.close();
      db.close();
    }
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      shutDown().then(
        () => process.exit(0),
        (error: unknown) => {
          console.error('wsgate demo: the shutdown failed', error);
          process.exit(1);
        },
      );
    });
  }
}

main(process.env).catch((error: unknown) => {
  const code = (error as { code?: unknown }).code;
  const hint = code === 'EADDRINUSE' ? ' (another server uses this port: set PORT=...)' : '';
  console.error(
    `wsgate demo could not start: ${error instanceof Error ? error.message : String(error)}${hint}`,
  );
  process.exit(1);
});
