import { readdir, readFile } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import type { Application, Header, HttpScope } from '@wsgate/server';

/** A file to serve: its bytes and content type. */
export interface StaticFile {
  readonly body: Uint8Array;
  readonly type: string;
}

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/**
 * Every file under `folder` by URL path (`/assets/app-1a2b.js`), read once: the demo's page is
 * a handful of small files that Vite built, so a lookup table beats touching the disk per
 * request.
 *
 * @example
 * const pages = await readStaticFolder('dist/public');
 */
export async function readStaticFolder(folder: string): Promise<Map<string, StaticFile>> {
  const files = new Map<string, StaticFile>();
  const entries = await readdir(folder, { recursive: true, withFileTypes: true }).catch(
    (error: unknown) => {
      throw new Error(`the page is not built (${folder}): run \`npm run build -w demo\``, {
        cause: error,
      });
    },
  );
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const urlPath = `/${relative(folder, path).split(sep).join('/')}`;
    const type = types[extname(entry.name)] ?? 'application/octet-stream';
    files.set(urlPath, { body: await readFile(path), type });
  }
  return files;
}

async function notFound(send: Parameters<Application>[2], status: 404 | 405): Promise<void> {
  const headers: Header[] = [['content-type', 'text/plain; charset=utf-8']];
  if (status === 405) headers.push(['allow', 'GET, HEAD']);
  await send({ type: 'http.response.start', status, headers });
  const text = status === 404 ? 'Not found' : 'Use GET for pages and files';
  await send({ type: 'http.response.body', body: new TextEncoder().encode(text) });
}

/**
 * Serves `files` by path (`/` is `/index.html`). Vite names built assets by their content
 * hash, so they may be cached for good; the page itself is checked every time.
 *
 * @example
 * route(/^/, staticFiles(await readStaticFolder('dist/public')));
 */
export function staticFiles(files: ReadonlyMap<string, StaticFile>): Application<HttpScope> {
  return async (scope, _receive, send) => {
    const file = files.get(scope.path === '/' ? '/index.html' : scope.path);
    if (!file) return notFound(send, 404);
    if (scope.method !== 'GET' && scope.method !== 'HEAD') return notFound(send, 405);
    const cache = scope.path.startsWith('/assets/')
      ? 'public, max-age=31536000, immutable'
      : 'no-cache';
    await send({
      type: 'http.response.start',
      status: 200,
      headers: [
        ['content-type', file.type],
        ['cache-control', cache],
      ],
    });
    // Node leaves the body out of a HEAD response itself.
    await send({ type: 'http.response.body', body: file.body });
  };
}
