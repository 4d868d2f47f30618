import { byId, h } from './element.js';

export type ToastTone = 'info' | 'success' | 'warning' | 'error';

const visibleMs = 6_000;

/**
 * Shows a short notice in the corner, gone after a few seconds (or on click).
 *
 * @example
 * toast('success', 'Signed in as ada', 'over the WebSocket: no page load');
 */
export function toast(tone: ToastTone, title: string, detail?: string): void {
  const item = h(
    'div',
    { class: `toast ${tone}`, role: tone === 'error' ? 'alert' : 'status' },
    h('b', {}, title),
    detail ? h('span', {}, detail) : null,
  );
  const remove = () => {
    item.classList.add('leaving');
    setTimeout(() => item.remove(), 200);
  };
  item.addEventListener('click', remove);
  byId('toasts').append(item);
  setTimeout(remove, visibleMs);
}
