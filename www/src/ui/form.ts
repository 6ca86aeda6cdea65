/** Small form controls shared by the panels, each with a `data-testid` for tests. */
import { h } from './dom';

/** A labelled control with an optional hint under it. */
export function field(label: string, control: HTMLElement, hint?: string): HTMLElement {
  return h('label', { className: 'field' }, h('span', { className: 'field-label' }, label), control, hint ? h('span', { className: 'hint' }, hint) : null);
}

export function input(testId: string, value: string, size = 8): HTMLInputElement {
  return h('input', { attrs: { type: 'text', value, size: String(size), 'data-testid': testId } });
}

export function select(testId: string, options: [string, string][]): HTMLSelectElement {
  return h('select', { attrs: { 'data-testid': testId } }, ...options.map(([value, label]) => h('option', { attrs: { value } }, label)));
}

export function checkbox(testId: string, checked: boolean): HTMLInputElement {
  const box = h('input', { attrs: { type: 'checkbox', 'data-testid': testId } });
  box.checked = checked;
  return box;
}

/** A number typed in a field; anything else is an error naming the field. */
export function parseNumber(text: string, what: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new Error(`${what}: "${text}" is not a number`);
  return value;
}

/** A set of checkboxes, one per name; `checked()` lists the ticked ones in order. */
export class CheckList {
  readonly element: HTMLElement;
  private readonly boxes: HTMLInputElement[];

  constructor(testId: string, names: string[], ticked: (name: string) => boolean) {
    this.boxes = names.map((name) => {
      const box = checkbox(`${testId}-${name}`, ticked(name));
      box.value = name;
      return box;
    });
    this.element = h('div', { className: 'check-list', attrs: { 'data-testid': testId } },
      ...this.boxes.map((box) => h('label', { className: 'feature' }, box, ` ${box.value}`)));
  }

  checked(): string[] {
    return this.boxes.filter((b) => b.checked).map((b) => b.value);
  }
}
