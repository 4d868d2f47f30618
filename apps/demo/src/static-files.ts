import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Application, HttpScope } from '@wsgate/server';

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/**
 * Serves the files of one folder, read once at start-up: the demo ships a handful of small
 * assets, so a lookup table beats touching the disk per request.
 */
export async function staticFiles(
  folder: URL,
  names: readonly string[],
): Promise<Application<HttpScope>> {
  const files = new Map<string, { body: Uint8Array; type: string }>();
  for (const name of names) {
    files.set(`/${name}`, {
      body: await readFile(new URL(name, folder)),
      type: types[extname(name)] ?? 'application/octet-stream',
    });
  }
  return async (scope, _receive, send) => {
    const file = files.get(scope.path === '/' ? '/index.html' : scope.path);
    if (!file || (scope.method !== 'GET' && scope.method !== 'HEAD')) {
      await send({
        type: 'http.response.start',
        status: 404,
        headers: [['content-type', 'text/plain']],
      });
      await send({ type: 'http.response.body', body: new TextEncoder().encode('Not found') });
      return;
    }
    await send({
      type: 'http.response.start',
      status: 200,
      headers: [
        ['content-type', file.type],
        ['cache-control', 'no-cache'],
      ],
    });
    await send({ type: 'http.response.body', body: file.body });
  };
}
