/**
 * A tiny element builder. Text always goes in as text nodes (never HTML), so nothing read
 * from a file (column names, cells, error messages) can become markup or script.
 */

type Child = Node | string | number | null | undefined | false;

export interface Props {
  className?: string;
  /** Attributes set with `setAttribute` (`role`, `aria-*`, `title`, `type`, ...). */
  attrs?: Record<string, string>;
  /** Inline style properties. */
  style?: Partial<Record<string, string>>;
  /** Event listeners. */
  on?: Partial<Record<string, (event: Event) => void>>;
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (props.className) element.className = props.className;
  for (const [name, value] of Object.entries(props.attrs ?? {})) element.setAttribute(name, value);
  for (const [name, value] of Object.entries(props.style ?? {})) {
    if (value !== undefined) element.style.setProperty(name, value);
  }
  for (const [type, listener] of Object.entries(props.on ?? {})) {
    if (listener) element.addEventListener(type, listener);
  }
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces all children of `parent`. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}
