import { JsonWebsocketConsumer } from '@wsgate/server';
import type { WebSocketScope, WithUrlRoute } from '@wsgate/server';

interface ChatMessage {
  readonly type: 'chat.message';
  readonly name: string;
  readonly text: string;
}

/** One chat room per URL (`/ws/chat/:room/`): what one member says, every member hears. */
export class ChatConsumer extends JsonWebsocketConsumer<WebSocketScope & WithUrlRoute> {
  readonly room = this.scope.urlRoute.kwargs.room ?? 'lobby';
  override groups = [`chat.${this.room}`];

  override async receiveJson(content: unknown): Promise<void> {
    const { name, text } = (content ?? {}) as { name?: unknown; text?: unknown };
    if (typeof text !== 'string' || text.trim() === '' || text.length > 2000) {
      await this.sendJson({
        type: 'error',
        code: 'BAD_MESSAGE',
        message: 'Send {"text": "..."} with 1 to 2000 characters.',
      });
      return;
    }
    const sender = typeof name === 'string' && name.trim() !== '' ? name.slice(0, 40) : 'guest';
    await this.channelLayer?.groupSend(`chat.${this.room}`, {
      type: 'chat.message',
      name: sender,
      text,
    });
  }

  async chatMessage(message: ChatMessage): Promise<void> {
    await this.sendJson({ type: 'message', name: message.name, text: message.text });
  }
}
