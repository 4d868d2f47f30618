import { avatar } from './avatar.js';
import { byId, h } from './element.js';
import type { ChatLine } from './room-client.js';

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

/** Consecutive messages of one sender within this long share a header, as chat apps do. */
const groupWithinMs = 5 * 60_000;

/**
 * The room's timeline: messages, and quiet notices (who came and went, reconnects). Keeps
 * the view scrolled to the newest line while the reader is at the bottom.
 *
 * @example
 * const list = new MessageList();
 * list.message({ id, from: 'ada', text: 'hello', at: Date.now() }, 'ada');
 */
export class MessageList {
  readonly #list = byId<HTMLOListElement>('messages');
  #last: { from: string; at: number } | null = null;

  /** Empties the timeline for `room`, with a welcome until the first message. */
  clear(room: string): void {
    this.#last = null;
    this.#list.replaceChildren(
      h(
        'li',
        { class: 'empty' },
        h('b', {}, `This is the start of #${room}`),
        h('span', {}, 'Messages are live: whoever is here sees them; nothing is stored.'),
      ),
    );
  }

  message(line: ChatLine, me: string | null): void {
    const continues =
      this.#last !== null &&
      this.#last.from === line.from &&
      line.at - this.#last.at < groupWithinMs;
    this.#last = { from: line.from, at: line.at };
    const time = h(
      'time',
      { datetime: new Date(line.at).toISOString() },
      timeFormat.format(line.at),
    );
    const item = continues
      ? h('li', { class: 'message continued' }, h('p', {}, line.text))
      : h(
          'li',
          { class: 'message' },
          avatar(line.from),
          h(
            'div',
            { class: 'message-body' },
            h(
              'div',
              { class: 'message-meta' },
              h('b', {}, line.from),
              line.from === me ? h('span', { class: 'you' }, 'you') : null,
              time,
            ),
            h('p', {}, line.text),
          ),
        );
    item.dataset.from = line.from;
    this.#append(item);
  }

  notice(text: string): void {
    this.#last = null;
    this.#append(h('li', { class: 'notice' }, h('span', {}, text)));
  }

  #append(item: HTMLElement): void {
    const list = this.#list;
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 48;
    list.querySelector('.empty')?.remove();
    list.append(item);
    if (atBottom) list.scrollTop = list.scrollHeight;
  }
}
