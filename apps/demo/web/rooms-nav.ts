import { isRoomName } from '../src/room-name.js';
import { byId, h } from './element.js';

/** The rooms everyone sees listed; any other name opens a room too. */
const listed: Readonly<Record<string, string>> = {
  lobby: 'Where everyone starts.',
  random: 'Anything goes.',
  help: 'Questions about wsgate.',
};

/** The room in the page's address (`/#random`), or the lobby. */
export function roomFromLocation(): string {
  const name = decodeURIComponent(location.hash.slice(1)).toLowerCase();
  return isRoomName(name) ? name : 'lobby';
}

/**
 * The rooms sidebar (the current one highlighted) and the "join a room" box, which moves the
 * page to `/#<room>`; the page follows `hashchange`.
 *
 * @example
 * renderRooms('lobby');
 */
export function renderRooms(current: string): void {
  const names = Object.keys(listed).includes(current)
    ? Object.keys(listed)
    : [...Object.keys(listed), current];
  byId('rooms').replaceChildren(
    ...names.map((name) =>
      h(
        'li',
        {},
        h(
          'a',
          {
            href: `#${name}`,
            class: name === current ? 'active' : '',
            'aria-current': name === current ? 'page' : false,
          },
          h('span', { class: 'hash' }, '#'),
          name,
        ),
      ),
    ),
  );
  byId('room-name').textContent = current;
  byId('room-topic').textContent = listed[current] ?? 'A room of your own: share its link.';
  byId<HTMLInputElement>('message').placeholder = `Message #${current}`;
  document.title = `#${current} · wsgate chat`;
}

/** Wires the "join a room" box. */
export function watchJoinRoom(): void {
  const form = byId<HTMLFormElement>('join-room');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const input = byId<HTMLInputElement>('join-room-name');
    const name = input.value.trim().toLowerCase();
    if (!isRoomName(name)) {
      input.reportValidity();
      return;
    }
    input.value = '';
    location.hash = name;
  });
}
