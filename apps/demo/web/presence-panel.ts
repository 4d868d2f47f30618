import { avatar } from './avatar.js';
import { byId, h } from './element.js';

/**
 * The "In this room" card: signed-in members (each once, however many tabs) and a count of
 * guests, from the room's presence frames.
 *
 * @example
 * renderPresence(['ada', 'grace'], 2, 'ada', true);
 */
export function renderPresence(
  members: readonly string[],
  guests: number,
  me: string | null,
  connected: boolean,
): void {
  const list = byId('presence');
  // Offline, nobody is known to be here: say so rather than show an empty room.
  list.toggleAttribute('data-offline', !connected);
  list.replaceChildren(
    ...members.map((name) =>
      h(
        'li',
        { 'data-name': name },
        avatar(name, 'small'),
        h('span', { class: 'name' }, name),
        name === me ? h('span', { class: 'you' }, 'you') : null,
        h('span', { class: 'online-dot', title: 'online' }),
      ),
    ),
  );
  byId('online-count').textContent = connected ? String(members.length + guests) : '';
  byId('guests').textContent =
    guests === 0
      ? ''
      : `${members.length === 0 ? '' : '+ '}${guests} ${guests === 1 ? 'guest' : 'guests'} reading`;
}

/** Who came and went between two presence frames, by name. */
export function presenceChanges(
  before: readonly string[],
  after: readonly string[],
): { joined: string[]; left: string[] } {
  return {
    joined: after.filter((name) => !before.includes(name)),
    left: before.filter((name) => !after.includes(name)),
  };
}
