import type {
  Application,
  InboundEvent,
  OutboundEvent,
  Receive,
  Scope,
  Send,
  WebSocketScope,
} from '@wsgate/shared';
import { describe, expect, it } from 'vitest';
import { WsgateError } from '../errors.js';
import { BaseMiddleware } from './base-middleware.js';

const scope: WebSocketScope = {
  type: 'websocket',
  path: '/ws/',
  rawPath: '/ws/',
  queryString: 'token=abc',
  headers: [['x-tenant', 'acme']],
  scheme: 'ws',
  client: null,
  server: null,
  subprotocols: [],
};

class TenantMiddleware<S extends Scope> extends BaseMiddleware<{ tenant: string }, S> {
  protected extendScope(given: S) {
    return { tenant: given.headers.find(([name]) => name === 'x-tenant')?.[1] ?? 'public' };
  }
}

/** Async additions, and a refusal before `inner` runs for a connection without a token. */
class TokenMiddleware extends BaseMiddleware<{ token: string }, WebSocketScope> {
  protected async extendScope(given: WebSocketScope) {
    await Promise.resolve();
    return { token: new URLSearchParams(given.queryString).get('token') ?? '' };
  }

  protected override async handle(given: WebSocketScope, receive: Receive, send: Send) {
    if (!given.queryString.includes('token=')) {
      await receive();
      return send({ type: 'websocket.close' });
    }
    return super.handle(given, receive, send);
  }
}

/** An inner application that needs nothing and records the scope it got. */
function collect() {
  const seen: Scope[] = [];
  const inner: Application = (given) => {
    seen.push(given);
    return Promise.resolve();
  };
  return { seen, inner };
}

const connectOnce = (): Receive => {
  const events: InboundEvent[] = [{ type: 'websocket.connect' }];
  return () => Promise.resolve(events.shift() ?? { type: 'websocket.disconnect', code: 1006 });
};

describe('BaseMiddleware', () => {
  it('passes inner a copy of the scope with the additions, leaving the original alone', async () => {
    const { seen, inner } = collect();
    const before = structuredClone(scope);
    await new TenantMiddleware(inner).asApp()(scope, connectOnce(), () => Promise.resolve());
    expect(seen).toEqual([{ ...scope, tenant: 'acme' }]);
    expect(seen[0]).not.toBe(scope);
    expect(scope).toEqual(before);
  });

  it('waits for async additions and stacks with other middleware', async () => {
    const { seen, inner } = collect();
    const app = new TenantMiddleware(new TokenMiddleware(inner).asApp()).asApp();
    await app(scope, connectOnce(), () => Promise.resolve());
    expect(seen).toEqual([{ ...scope, tenant: 'acme', token: 'abc' }]);
  });

  it('lets a subclass answer a connection itself by overriding handle', async () => {
    const { seen, inner } = collect();
    const sent: OutboundEvent[] = [];
    const app = new TokenMiddleware(inner).asApp();
    await app({ ...scope, queryString: '' }, connectOnce(), (event) =>
      Promise.resolve(void sent.push(event)),
    );
    expect(sent).toEqual([{ type: 'websocket.close' }]);
    expect(seen).toEqual([]);
  });

  it('lets an error from extendScope or inner reach the caller', async () => {
    class Failing extends BaseMiddleware {
      protected extendScope(): object {
        throw new Error('no tenant store');
      }
    }
    const { inner } = collect();
    await expect(
      new Failing(inner).asApp()(scope, connectOnce(), () => Promise.resolve()),
    ).rejects.toThrow('no tenant store');
    const crashing: Application<Scope & { tenant: string }> = () =>
      Promise.reject(new Error('inner crashed'));
    await expect(
      new TenantMiddleware(crashing).asApp()(scope, connectOnce(), () => Promise.resolve()),
    ).rejects.toThrow('inner crashed');
  });

  it('refuses an inner that is not an application, naming the subclass', () => {
    expect(() => new TenantMiddleware(undefined as unknown as Application)).toThrow(WsgateError);
    expect(() => new TenantMiddleware(undefined as unknown as Application)).toThrow(
      /TenantMiddleware\(inner\): inner must be an application function, got undefined/,
    );
  });
});
