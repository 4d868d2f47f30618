import type { Application, WebSocketScope, WithUrlRoute, WithUser } from '@wsgate/shared';
import { describe, expectTypeOf, it } from 'vitest';
import { InMemoryChannelLayer } from '../layers/in-memory-channel-layer.js';
import { JsonWebsocketConsumer } from './json-websocket-consumer.js';
import { WebsocketConsumer } from './websocket-consumer.js';

describe('WebsocketConsumer scope typing', () => {
  it('types this.scope as the scope the consumer declares', () => {
    class Authed extends JsonWebsocketConsumer<WebSocketScope & WithUser & WithUrlRoute> {
      override connect(): Promise<void> {
        expectTypeOf(this.scope.user.isAuthenticated).toEqualTypeOf<boolean>();
        expectTypeOf(this.scope.urlRoute.kwargs).toEqualTypeOf<Readonly<Record<string, string>>>();
        return this.accept();
      }
    }
    expectTypeOf(Authed.asApp()).toEqualTypeOf<
      Application<WebSocketScope & WithUser & WithUrlRoute>
    >();
  });

  it('does not offer scope.user on a consumer that did not declare it', () => {
    class Plain extends WebsocketConsumer {
      override connect(): Promise<void> {
        // @ts-expect-error: no auth middleware declared
        void this.scope.user;
        return this.accept();
      }
    }
    expectTypeOf(Plain.asApp({ channelLayer: new InMemoryChannelLayer() })).toEqualTypeOf<
      Application<WebSocketScope>
    >();
  });
});
