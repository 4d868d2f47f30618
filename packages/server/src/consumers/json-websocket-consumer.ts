import { ErrorCode, encodeMessage } from '@wsgate/shared';
import type { WebSocketScope } from '@wsgate/shared';
import { WsgateError } from '../errors.js';
import { reserveBuiltInMethods } from './handler-name.js';
import { WebsocketConsumer } from './websocket-consumer.js';
import type { WebSocketFrame } from './websocket-consumer.js';

/**
 * A WebsocketConsumer that speaks JSON text frames (Channels' JsonWebsocketConsumer): override
 * `receiveJson(content)` and reply with `sendJson(content)`. A frame that is not JSON, or a
 * binary frame, is answered with `{ type: 'error', code: 'BAD_MESSAGE', message }` and the
 * connection stays open. Override `encodeJson`/`decodeJson` to change the encoding.
 *
 * @example
 * class EchoConsumer extends JsonWebsocketConsumer {
 *   override async receiveJson(content: unknown) {
 *     await this.sendJson({ echo: content });
 *   }
 * }
 */
export class JsonWebsocketConsumer<
  S extends WebSocketScope = WebSocketScope,
> extends WebsocketConsumer<S> {
  /**
   * Not async: an async `receive` costs every message a promise, a suspended frame and a
   * microtask tick on top of `receiveJson`'s. A throw still comes back as a rejection.
   */
  override receive(frame: WebSocketFrame): Promise<void> {
    try {
      return Promise.resolve(this.#receive(frame));
    } catch (thrown) {
      const error = thrown as Error;
      return Promise.reject(error);
    }
  }

  #receive(frame: WebSocketFrame): void | Promise<void> {
    if (frame.text === undefined) {
      return this.#refuse('This endpoint takes JSON in text frames; it got a binary frame.');
    }
    let content: unknown;
    try {
      content = this.decodeJson(frame.text);
    } catch {
      // The parser's wording is not for clients; say what is wrong instead.
      return this.#refuse('This endpoint takes JSON in text frames; that frame is not JSON.');
    }
    return this.receiveJson(content);
  }

  /** Called with each decoded frame. */
  receiveJson(_content: unknown): void | Promise<void> {}

  /** Sends `content` as a JSON text frame. */
  sendJson(content: unknown): Promise<void> {
    return this.send(this.encodeJson(content));
  }

  /** Text frame payload to value. @default JSON.parse */
  decodeJson(text: string): unknown {
    return JSON.parse(text);
  }

  /** Value to text frame payload. @default JSON.stringify, refusing what it cannot encode */
  encodeJson(content: unknown): string {
    const text = JSON.stringify(content) as string | undefined;
    if (text === undefined) {
      throw new WsgateError(
        'INVALID_OPTION',
        `sendJson() cannot encode ${typeof content} as JSON; send an object, array or primitive.`,
      );
    }
    return text;
  }

  #refuse(message: string): Promise<void> {
    return this.send(encodeMessage({ type: 'error', code: ErrorCode.badMessage, message }));
  }
}

reserveBuiltInMethods(JsonWebsocketConsumer.prototype);
