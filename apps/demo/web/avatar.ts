import { h } from './element.js';

const hues = [250, 200, 160, 330, 20, 280, 40, 190];

/** A round badge with the name's first letter, in a colour that stays the same for the name. */
export function avatar(name: string, size: 'small' | 'large' = 'large'): HTMLElement {
  let hash = 0;
  for (const char of name.toLowerCase()) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  const hue = hues[hash % hues.length] ?? 250;
  const badge = h(
    'span',
    { class: `avatar ${size}`, 'aria-hidden': 'true' },
    name.slice(0, 1).toUpperCase(),
  );
  badge.style.setProperty('--hue', String(hue));
  return badge;
}
