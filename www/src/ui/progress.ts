/** A running job shown to the user: what it does, how far it is, and a Cancel button. */
import { h } from './dom';

export class JobProgress {
  readonly element: HTMLElement;
  private readonly bar: HTMLProgressElement;
  private readonly text: HTMLElement;
  private cancelled = false;

  constructor(label: string, onCancel: () => void) {
    this.bar = h('progress', { attrs: { max: '1', 'aria-label': label } });
    this.text = h('span', { className: 'job-text' }, 'starting…');
    const button = h('button', { attrs: { type: 'button' } }, 'Cancel');
    button.addEventListener('click', () => {
      // Said at once and only once: the job stops when it next looks, which may be a moment.
      this.cancelled = true;
      button.disabled = true;
      this.text.textContent = 'cancelling…';
      onCancel();
    });
    this.element = h(
      'div',
      { className: 'job', attrs: { role: 'status', 'data-testid': 'job' } },
      h('span', { className: 'job-label' }, label),
      this.bar,
      this.text,
      button,
    );
  }

  /** Whether the user asked to cancel (the job may still have finished first). */
  get cancelRequested(): boolean {
    return this.cancelled;
  }

  /** `fraction` in [0, 1], or `undefined` while the amount of work is unknown. */
  update(fraction: number | undefined, text: string): void {
    if (fraction === undefined) this.bar.removeAttribute('value');
    else this.bar.value = fraction;
    if (!this.cancelled) this.text.textContent = text;
  }
}
