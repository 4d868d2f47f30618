// wsgate's demo: `npm start` runs this on embedded defaults (no Redis, no config).
import { serve } from '@wsgate/server';
import { createDemoApp } from './app.js';

const server = await serve(await createDemoApp(), {
  port: Number(process.env.PORT ?? 8000),
  host: process.env.HOST ?? '127.0.0.1',
});
console.log(`wsgate demo: open ${server.url.replace('127.0.0.1', 'localhost')}/ in a browser`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void server.close().then(() => process.exit(0));
  });
}
