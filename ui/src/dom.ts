// The one way this UI makes elements: text goes in as text nodes (textContent), never as markup,
// so a key or value full of tags, quotes or bidi controls shows literally and runs nothing.
// (eslint forbids innerHTML and its kin under ui/.)

type Child = Node | string;

/** Attributes and text of a new element. */
export interface ElementSpec {
  readonly className?: string;
  readonly text?: string;
  readonly attrs?: Readonly<Record<string, string>>;
}

/** A new element with `spec` applied and `children` appended (strings as text nodes). */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  spec: ElementSpec = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (spec.className !== undefined) element.className = spec.className;
  for (const [name, value] of Object.entries(spec.attrs ?? {})) element.setAttribute(name, value);
  if (spec.text !== undefined) element.textContent = spec.text;
  element.append(...children);
  return element;
}

/** A key as text, isolated from the bidi context around it (a right-to-left override cannot flip the page). */
export function keyText(key: string): HTMLElement {
  return el('bdi', { className: 'key-text', text: key === '' ? '' : key });
}

/** A button running `action` on click. */
export function button(label: string, action: () => void, spec: ElementSpec = {}): HTMLButtonElement {
  const element = el('button', { ...spec, text: label, attrs: { type: 'button', ...spec.attrs } });
  element.addEventListener('click', action);
  return element;
}

/** The element with this id in the page; throws when the page lacks it. */
export function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`the page has no #${id}`);
  return element as T;
}
