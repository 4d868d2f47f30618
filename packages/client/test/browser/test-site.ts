/// <reference types="node" />
/**
 * A wsgate server for browser tests: on one origin (127.0.0.1, a free port) it serves the test
 * page, the client bundled from source (`/client.js`, imported by `/page.js`), any HTTP routes
 * the test adds (the session endpoint), and the WebSocket application under test, on a
 * RestartableServer (so a test can kill it and bring it back).
 */
import { fileURLToPath } from 'node:url';
import type { Application, HttpScope, Route, WebSocketScope } from '@wsgate/server';
import { protocolTypeRouter, route, urlRouter } from '@wsgate/server';
import { bundleForBrowser, clientEntry } from './bundle-for-browser.js';
import { RestartableServer } from './restartable-server.js';

export interface TestSiteOptions {
  /** The WebSocket application under test (the whole middleware stack). */
  readonly websocket: Application<WebSocketScope>;
  /** HTTP routes tried before the page's own (e.g. the session endpoint). */
  readonly http?: readonly Route<HttpScope>[];
}

const pageScript = fileURLToPath(new URL('./test-page.ts', import.meta.url));

const pageHtml = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>wsgate client in Chromium</title>
<link rel="icon" href="data:,">
<style>
  body { font: 15px/1.45 system-ui, sans-serif; margin: 0; background: #f4f5f7; color: #1d2433; }
  main { max-width: 640px; margin: 32px auto; background: #fff; border-radius: 10px;
         padding: 20px 24px; box-shadow: 0 1px 4px rgb(0 0 0 / 0.12); }
  h1 { font-size: 18px; margin: 0 0 14px; }
  dl { display: grid; grid-template-columns: 64px 1fr; gap: 6px 12px; margin: 0 0 14px; }
  dt { color: #5b6478; }
  dd { margin: 0; font-family: ui-monospace, monospace; }
  #state { display: inline-block; padding: 0 10px; border-radius: 10px; background: #e3e6ec; }
  #state[data-state='open'] { background: #c8f0d2; }
  #state[data-state='reconnecting'], #state[data-state='connecting'] { background: #fde8b4; }
  #state[data-state='closed'] { background: #f8c9c9; }
  ol { margin: 0; padding-left: 22px; font: 12px/1.5 ui-monospace, monospace; color: #3a4255;
       word-break: break-all; }
</style>
</head>
<body>
<main>
  <h1>wsgate client</h1>
  <dl>
    <dt>state</dt><dd><span id="state">loading</span></dd>
    <dt>user</dt><dd id="user">anonymous</dd>
    <dt>events</dt><dd><ol id="log"></ol></dd>
  </dl>
</main>
<script type="module" src="/page.js"></script>
</body>
</html>
`;

interface File {
  readonly body: Uint8Array;
  readonly type: string;
}

/** The bundle is the same for every site of a test file: build it once. */
let bundled: Promise<Map<string, File>> | undefined;

function files(): Promise<Map<string, File>> {
  bundled ??= bundleForBrowser({ client: clientEntry, page: pageScript }).then((scripts) => {
    const encoder = new TextEncoder();
    const served = new Map<string, File>([
      ['/', { body: encoder.encode(pageHtml), type: 'text/html; charset=utf-8' }],
    ]);
    for (const [name, code] of scripts) {
      served.set(`/${name}`, { body: encoder.encode(code), type: 'text/javascript' });
    }
    return served;
  });
  return bundled;
}

function fileServer(served: ReadonlyMap<string, File>): Application<HttpScope> {
  return async (scope, _receive, send) => {
    const file = served.get(scope.path);
    const status = file ? 200 : 404;
    const type = file?.type ?? 'text/plain; charset=utf-8';
    // A reload must fetch the page again, not reuse a copy from an earlier site on this port.
    const headers: [string, string][] = [
      ['content-type', type],
      ['cache-control', 'no-store'],
    ];
    await send({ type: 'http.response.start', status, headers });
    const body = file?.body ?? new TextEncoder().encode(`no ${scope.path} on the test site`);
    await send({ type: 'http.response.body', body });
  };
}

/**
 * @example
 * const site = await TestSite.start({ websocket: stack, http: [route('/wsgate/session', endpoint)] });
 * await page.goto(site.page({ socket: '/ws/echo/' }));
 * await site.server.kill();
 * await site.server.restart();
 */
export class TestSite {
  private constructor(readonly server: RestartableServer) {}

  static async start(options: TestSiteOptions): Promise<TestSite> {
    const served = await files();
    const http = urlRouter<HttpScope>([...(options.http ?? []), route(/^/, fileServer(served))]);
    const app = protocolTypeRouter({ http, websocket: options.websocket });
    return new TestSite(await RestartableServer.start(app));
  }

  /** `http://127.0.0.1:<port>`: pages, scripts and sockets share this origin. */
  get url(): string {
    return this.server.url;
  }

  /** The test page's URL, with its query parameters (see test-page.ts). */
  page(params: Readonly<Record<string, string | number>> = {}): string {
    const query = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
    const search = query.size > 0 ? `?${query.toString()}` : '';
    return `${this.url}/${search}`;
  }
}
