// `npm start`: the demo on embedded defaults. Knobs: PORT, HOST, ALLOWED_HOSTS, DATA_DIR,
// SESSION_SECRET (and REDIS_URL, see backends.ts).
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
  const dataDir = env.DATA_DIR || fileURLToPath(new URL('../data/', import.meta.url));
  const db = openDatabase(join(dataDir, 'demo.sqlite'));
  const { channelLayer, revocationStore } = chooseBackends(env, db, console.warn);
  const password = sessionSecret(env.SESSION_SECRET, dataDir, console.warn);
  const app = demoApp({
    users: new UserStore(db),
    session: { password, revocationStore, channelLayer },
    allowedHosts: env.ALLOWED_HOSTS?.split(',') ?? ['localhost', '127.0.0.1', '[::1]'],
    pages: await readStaticFolder(fileURLToPath(new URL('./public/', import.meta.url))),
  });
  const server = await serve(app, { port: port(env.PORT), host: env.HOST || '127.0.0.1' });
  console.log(`wsgate demo: open ${server.url.replace('//127.0.0.1:', '//localhost:')}/`);

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void server.close().finally(() => {
        db.close();
        process.exit(0);
      });
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
