import type { Application, HttpScope } from '@wsgate/shared';
import { describe, expect, it } from 'vitest';
import { HttpCommunicator } from './http-communicator.js';

const text = (body: Uint8Array): string => new TextDecoder().decode(body);

describe('HttpCommunicator', () => {
  it('sends the request and collects the response', async () => {
    let seen: HttpScope | undefined;
    const app: Application<HttpScope> = async (scope, receive, send) => {
      seen = scope;
      await receive();
      await send({ type: 'http.response.start', status: 200, headers: [['x-a', '1']] });
      await send({ type: 'http.response.body', body: new TextEncoder().encode('test response') });
    };
    const communicator = new HttpCommunicator(app, 'get', '/test/?foo=bar');
    const response = await communicator.getResponse();
    expect(response.status).toBe(200);
    expect(response.headers).toEqual([['x-a', '1']]);
    expect(text(response.body)).toBe('test response');
    expect(seen).toMatchObject({
      type: 'http',
      method: 'GET',
      path: '/test/',
      queryString: 'foo=bar',
      scheme: 'http',
      httpVersion: '1.1',
    });
  });

  it('hands the body to the application, a string as UTF-8', async () => {
    const app: Application<HttpScope> = async (_scope, receive, send) => {
      const event = await receive();
      const body = event.type === 'http.request' ? event.body : new Uint8Array();
      await send({ type: 'http.response.start', status: 201 });
      await send({ type: 'http.response.body', body });
    };
    const response = await new HttpCommunicator(app, 'POST', '/echo', {
      body: 'héllo',
      headers: [['Content-Type', 'text/plain']],
    }).getResponse();
    expect(response).toMatchObject({ status: 201, headers: [] });
    expect(text(response.body)).toBe('héllo');
  });

  it('concatenates a streamed body', async () => {
    const app: Application<HttpScope> = async (_scope, receive, send) => {
      await receive();
      await send({ type: 'http.response.start', status: 200 });
      for (const part of ['a', 'b', 'c']) {
        await send({
          type: 'http.response.body',
          body: new TextEncoder().encode(part),
          moreBody: true,
        });
      }
      await send({ type: 'http.response.body' });
    };
    expect(text((await new HttpCommunicator(app, 'GET', '/').getResponse()).body)).toBe('abc');
  });

  it('names the event when the application does not start a response', async () => {
    const app: Application<HttpScope> = async (_scope, receive, send) => {
      await receive();
      await send({ type: 'http.response.body', body: new Uint8Array() });
    };
    await expect(new HttpCommunicator(app, 'GET', '/').getResponse()).rejects.toThrow(
      /expected http.response.start, but the application sent http.response.body/,
    );
  });

  it('rethrows the application crash', async () => {
    const app: Application<HttpScope> = async (_scope, receive) => {
      await receive();
      throw new Error('view failed');
    };
    await expect(new HttpCommunicator(app, 'GET', '/').getResponse()).rejects.toThrow(
      'view failed',
    );
  });
});
