import type { Application } from '@wsgate/shared';
import { describe, expect, it } from 'vitest';
import { HttpCommunicator } from '../testing/http-communicator.js';
import { WebsocketCommunicator } from '../testing/websocket-communicator.js';
import { sessionEndpoint } from './session-endpoint.js';

const session = { password: 'an-endpoint-test-password-of-32-chars!!' };

function post(app: Application, headers: Array<[string, string]>, body = '{"ticket":"x"}') {
  const communicator = new HttpCommunicator(app, 'POST', '/wsgate/session', {
    headers: [['content-type', 'application/json'], ...headers],
    body: new TextEncoder().encode(body),
  });
  return communicator.getResponse();
}

const json = (body: Uint8Array) => JSON.parse(new TextDecoder().decode(body)) as { code: string };

describe('sessionEndpoint', () => {
  it("takes the endpoint's own origin by default: Origin host and port equal Host", async () => {
    const app = sessionEndpoint({ session });
    const same = await post(app, [
      ['host', 'app.example:8443'],
      ['origin', 'https://app.example:8443'],
    ]);
    expect(same.status).toBe(401);
    // Behind a TLS proxy the request may say http: the scheme is not compared.
    const proxied = await post(app, [
      ['host', 'app.example'],
      ['origin', 'https://app.example'],
    ]);
    expect(proxied.status).toBe(401);
    const otherPort = await post(app, [
      ['host', 'app.example:8443'],
      ['origin', 'https://app.example'],
    ]);
    expect(otherPort.status).toBe(403);
    const noHost = await post(app, [['origin', 'https://app.example']]);
    expect(noHost.status).toBe(403);
    const twoOrigins = await post(app, [
      ['host', 'app.example'],
      ['origin', 'https://app.example'],
      ['origin', 'https://app.example'],
    ]);
    expect(twoOrigins.status).toBe(403);
    expect(json(twoOrigins.body).code).toBe('FORBIDDEN');
  });

  it("lets anything through with '*', as originValidator does", async () => {
    const app = sessionEndpoint({ session, allowedOrigins: ['*'] });
    expect((await post(app, [])).status).toBe(401);
  });

  it('refuses bodies over 8 KiB with 413 and never caches', async () => {
    const app = sessionEndpoint({ session });
    const headers: Array<[string, string]> = [
      ['host', 'a.example'],
      ['origin', 'http://a.example'],
    ];
    const response = await post(app, headers, JSON.stringify({ ticket: 'x'.repeat(9000) }));
    expect(response.status).toBe(413);
    expect(response.headers).toContainEqual(['cache-control', 'no-store']);
  });

  it('is an HTTP application: a socket routed to it is an error naming the fix', async () => {
    const app = sessionEndpoint({ session });
    const communicator = new WebsocketCommunicator(app, '/wsgate/session');
    await expect(communicator.connect()).rejects.toThrow(/answers HTTP requests, not websocket/);
  });

  it('checks its options at construction', () => {
    expect(() => sessionEndpoint({ session: { password: 'short' } })).toThrow(/at least 32/);
    expect(() => sessionEndpoint({ session, ticketTtlSeconds: 61 })).toThrow(/1 to 60/);
    expect(() => sessionEndpoint({ session, allowedOrigins: 'a.com' as never })).toThrow(/array/);
    expect(() => sessionEndpoint({ session, allowedOrigins: ['https://a.com/path'] })).toThrow();
  });
});
