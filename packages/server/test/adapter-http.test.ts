import { once } from 'node:events';
import { request, ServerResponse } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Application, HttpScope, InboundEvent, Receive } from '@wsgate/shared';
import { deferred, Harness, httpRequest, RecordingLogger, within } from './adapter-fixtures.js';

const harness = new Harness();
afterEach(async () => {
  vi.restoreAllMocks();
  await harness.cleanup();
});

const text = (value: string): Uint8Array => new TextEncoder().encode(value);

async function readBody(receive: Receive): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for (;;) {
    const event = await receive();
    if (event.type !== 'http.request') return Buffer.concat(chunks);
    chunks.push(event.body);
    if (!event.moreBody) return Buffer.concat(chunks);
  }
}

/** Responds 200 with `body` in one event. */
function respond(body: string, headers: Array<[string, string]> = []): Application {
  return async (_scope, receive, send) => {
    await readBody(receive);
    await send({ type: 'http.response.start', status: 200, headers });
    await send({ type: 'http.response.body', body: text(body) });
  };
}

describe('HTTP requests and responses', () => {
  it('describes the request in the scope', async () => {
    const scope = deferred<HttpScope>();
    const server = await harness.start(async (s, receive, send) => {
      if (s.type === 'http') scope.resolve(s);
      await respond('ok')(s, receive, send);
    });
    const result = await httpRequest(`${server.url}/caf%C3%A9/menu?x=1&y=%20`, {
      headers: { 'X-Trace': 'abc' },
    });
    expect(result.status).toBe(200);
    expect(result.body.toString()).toBe('ok');
    const seen = await scope.promise;
    expect(seen).toMatchObject({
      type: 'http',
      method: 'GET',
      httpVersion: '1.1',
      path: '/café/menu',
      rawPath: '/caf%C3%A9/menu',
      queryString: 'x=1&y=%20',
      scheme: 'http',
      server: ['127.0.0.1', server.port],
    });
    expect(seen.headers).toContainEqual(['x-trace', 'abc']);
  });

  it('streams the request body in and the response body out', async () => {
    const seen: InboundEvent[] = [];
    const server = await harness.start(async (_scope, receive, send) => {
      await send({
        type: 'http.response.start',
        status: 200,
        headers: [['content-type', 'text/plain']],
      });
      for (;;) {
        const event = await receive();
        seen.push(event);
        if (event.type !== 'http.request') return;
        await send({ type: 'http.response.body', body: event.body, moreBody: event.moreBody });
        if (!event.moreBody) return;
      }
    });
    const req = request(`${server.url}/echo`, { method: 'POST', agent: false });
    req.write('one,');
    const [res] = (await within(once(req, 'response'), 'the response head')) as [IncomingMessage];
    let received = '';
    const nextData = () =>
      within(once(res, 'data'), 'echoed data').then(([chunk]) => (received += String(chunk)));
    // Each chunk comes back before the next is sent: both directions really stream.
    await nextData();
    expect(received).toBe('one,');
    req.write('two,');
    await nextData();
    expect(received).toBe('one,two,');
    req.end('three');
    for await (const chunk of res) received += String(chunk);
    expect(received).toBe('one,two,three');
    expect(seen.filter((event) => event.type === 'http.request').length).toBeGreaterThanOrEqual(3);
    expect(seen.at(-1)).toMatchObject({ type: 'http.request', moreBody: false });
  });

  it('keeps every Set-Cookie header', async () => {
    const server = await harness.start(
      respond('', [
        ['set-cookie', 'a=1; Path=/'],
        ['set-cookie', 'b=2; Path=/; HttpOnly'],
      ]),
    );
    const result = await httpRequest(server.url);
    expect(result.headers.filter(([name]) => name === 'set-cookie')).toEqual([
      ['set-cookie', 'a=1; Path=/'],
      ['set-cookie', 'b=2; Path=/; HttpOnly'],
    ]);
  });

  it('sends headers but no body for HEAD', async () => {
    const server = await harness.start(respond('hello', [['content-length', '5']]));
    const result = await httpRequest(server.url, { method: 'HEAD' });
    expect(result.status).toBe(200);
    expect(result.headers).toContainEqual(['content-length', '5']);
    expect(result.body.length).toBe(0);
  });

  it('waits for the client to drain before sending more', async () => {
    const log: string[] = [];
    // Called below with each response as `this`.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    const write = ServerResponse.prototype.write;
    vi.spyOn(ServerResponse.prototype, 'write').mockImplementation(function (
      this: ServerResponse,
      ...args: Parameters<ServerResponse['write']>
    ) {
      if (log.length === 0) this.on('drain', () => log.push('drain'));
      const accepted = write.apply(this, args);
      log.push(accepted ? 'write' : 'full');
      return accepted;
    });
    const megabyte = new Uint8Array(1024 * 1024);
    const server = await harness.start(async (_scope, _receive, send) => {
      await send({ type: 'http.response.start', status: 200 });
      for (let i = 0; i < 8; i += 1)
        await send({ type: 'http.response.body', body: megabyte, moreBody: true });
      await send({ type: 'http.response.body' });
    });
    const result = await httpRequest(server.url);
    expect(result.body.length).toBe(8 * megabyte.length);
    expect(log).toContain('full');
    log.forEach((entry, i) => {
      if (entry === 'full' && i + 1 < log.length) expect(log[i + 1]).toBe('drain');
    });
  });
});

describe('HTTP limits and failures', () => {
  it('answers 413 for a declared body over maxBodySize without calling the application', async () => {
    let called = false;
    const server = await harness.start(
      () => {
        called = true;
        return Promise.resolve();
      },
      { maxBodySize: 1024 },
    );
    const result = await httpRequest(server.url, {
      method: 'POST',
      headers: { 'content-length': '2048' },
      body: ['x'.repeat(2048)],
    });
    expect(result.status).toBe(413);
    expect(called).toBe(false);
  });

  it('answers 413 once a streamed body passes maxBodySize, and tells the application', async () => {
    const events = deferred<InboundEvent[]>();
    const server = await harness.start(
      async (_scope, receive, send) => {
        const seen: InboundEvent[] = [];
        for (;;) {
          const event = await receive();
          seen.push(event);
          if (event.type !== 'http.request' || !event.moreBody) break;
        }
        events.resolve(seen);
        // The server has answered; this is ignored, not an error.
        await send({ type: 'http.response.start', status: 200 });
      },
      { maxBodySize: 1024 },
    );
    const req = request(server.url, { method: 'POST', agent: false });
    req.on('error', () => {}); // the server stops reading once it has answered
    req.write('x'.repeat(512));
    req.write('x'.repeat(1024));
    const [res] = (await within(once(req, 'response'), 'the 413')) as [IncomingMessage];
    res.resume();
    expect(res.statusCode).toBe(413);
    const seen = await within(events.promise, 'the application to stop reading');
    expect(seen.at(-1)).toEqual({ type: 'http.disconnect' });
    req.destroy();
  });

  it('answers 500 when the application throws before responding, and keeps serving', async () => {
    const logger = new RecordingLogger();
    let calls = 0;
    const server = await harness.start(
      async (scope, receive, send) => {
        calls += 1;
        if (calls === 1) throw new Error('boom');
        await respond('fine')(scope, receive, send);
      },
      { logger },
    );
    const failed = await httpRequest(`${server.url}/broken`);
    expect(failed.status).toBe(500);
    expect(failed.body.toString()).toBe('Internal Server Error');
    const entry = await logger.waitFor('application failed');
    expect(entry.level).toBe('error');
    expect(entry.details).toMatchObject({ path: '/broken' });
    expect((await httpRequest(server.url)).body.toString()).toBe('fine');
  });

  it('cuts the response off when the application throws after starting it', async () => {
    const logger = new RecordingLogger();
    const server = await harness.start(
      async (_scope, _receive, send) => {
        await send({ type: 'http.response.start', status: 200 });
        await send({ type: 'http.response.body', body: text('partial'), moreBody: true });
        throw new Error('boom');
      },
      { logger },
    );
    const req = request(server.url, { agent: false });
    req.end();
    const outcome = await within(
      new Promise<string>((resolve) => {
        req.on('error', () => resolve('cut off before the head'));
        req.on('response', (res: IncomingMessage) => {
          res.on('error', () => resolve('cut off in the body'));
          res.on('end', () => resolve('complete'));
          res.resume();
        });
      }),
      'the response to end one way or another',
    );
    expect(outcome).toMatch(/^cut off/);
    expect((await logger.waitFor('application failed')).level).toBe('error');
  });

  it('answers 500 and logs when the application returns without a response', async () => {
    const logger = new RecordingLogger();
    const server = await harness.start(() => Promise.resolve(), { logger });
    expect((await httpRequest(server.url)).status).toBe(500);
    expect((await logger.waitFor('without sending a response')).level).toBe('error');
  });

  it('answers 400 for a malformed percent-escape', async () => {
    const server = await harness.start(respond('never'));
    expect((await httpRequest(`${server.url}/%E0%A4%A`)).status).toBe(400);
  });

  it('rejects events out of order with a protocol violation', async () => {
    const errors: unknown[] = [];
    const server = await harness.start(async (_scope, _receive, send) => {
      await send({ type: 'http.response.body', body: text('early') }).catch((e: unknown) =>
        errors.push(e),
      );
      await send({ type: 'websocket.accept' }).catch((e: unknown) => errors.push(e));
      await send({ type: 'http.response.start', status: 99 }).catch((e: unknown) => errors.push(e));
      await send({ type: 'http.response.start', status: 204 });
      await send({ type: 'http.response.start', status: 204 }).catch((e: unknown) =>
        errors.push(e),
      );
      await send({ type: 'http.response.body' });
      await send({ type: 'http.response.body' }).catch((e: unknown) => errors.push(e));
    });
    expect((await httpRequest(server.url)).status).toBe(204);
    expect(errors).toHaveLength(5);
    for (const error of errors) expect(error).toMatchObject({ code: 'PROTOCOL_VIOLATION' });
  });

  it('tells the application when the client goes away mid-request', async () => {
    const started = deferred();
    const last = deferred<InboundEvent>();
    const server = await harness.start(async (_scope, receive) => {
      for (;;) {
        const event = await receive();
        started.resolve();
        if (event.type === 'http.disconnect') {
          last.resolve(event);
          return;
        }
      }
    });
    const req = request(server.url, { method: 'POST', agent: false });
    req.on('error', () => {});
    req.write('partial');
    await within(started.promise, 'the first chunk');
    req.destroy();
    expect(await within(last.promise, 'http.disconnect')).toEqual({ type: 'http.disconnect' });
  });
});

describe('HTTP and close()', () => {
  it('lets a request in flight finish, then closes', async () => {
    const started = deferred();
    const release = deferred();
    const server = await harness.start(async (scope, receive, send) => {
      started.resolve();
      await release.promise;
      await respond('done')(scope, receive, send);
    });
    const response = httpRequest(server.url);
    await within(started.promise, 'the request to start');
    const closing = server.close();
    release.resolve();
    const result = await response;
    expect(result.body.toString()).toBe('done');
    expect(result.headers).toContainEqual(['connection', 'close']);
    await within(closing, 'close() to resolve');
  });
});
