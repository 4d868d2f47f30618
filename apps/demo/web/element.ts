/** Children `h` accepts: nodes, text, and nothing (skipped). */
type Child = Node | string | null | undefined | false;

/**
 * Creates an element with attributes and children; text is always set as text, never parsed
 * as HTML, so names and messages from other users cannot inject markup.
 *
 * @example
 * h('li', { class: 'message' }, h('b', {}, name), text);
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Readonly<Record<string, string | boolean>> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === true) element.setAttribute(name, '');
    else if (value !== false) element.setAttribute(name, value);
  }
  for (const child of children)
    if (child !== null && child !== undefined && child !== false) element.append(child);
  return element;
}

/** The page's element with this id; the page is ours, so a missing one is a bug. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the page has no #${id}`);
  return element as T;
}
