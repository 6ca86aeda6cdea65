/** A running job shown to the user: what it does, how far it is, and a Cancel button. */
import { h } from './dom';

export class JobProgress {
  readonly element: HTMLElement;
  private readonly bar: HTMLProgressElement;
  private readonly text: HTMLElement;

  constructor(label: string, onCancel: () => void) {
    this.bar = h('progress', { attrs: { max: '1', 'aria-label': label } });
    this.text = h('span', { className: 'job-text' }, 'starting…');
    this.element = h(
      'div',
      { className: 'job', attrs: { role: 'status', 'data-testid': 'job' } },
      h('span', { className: 'job-label' }, label),
      this.bar,
      this.text,
      h('button', { attrs: { type: 'button' }, on: { click: onCancel } }, 'Cancel'),
    );
  }

  /** `fraction` in [0, 1], or `undefined` while the amount of work is unknown. */
  update(fraction: number | undefined, text: string): void {
    if (fraction === undefined) this.bar.removeAttribute('value');
    else this.bar.value = fraction;
    this.text.textContent = text;
  }
}
