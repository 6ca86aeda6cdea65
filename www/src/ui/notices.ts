/** Messages to the user: errors, warnings and information, each dismissible. */
import { h } from './dom';

export type NoticeKind = 'error' | 'warning' | 'info';

export class Notices {
  readonly element = h('section', { className: 'notices', attrs: { 'aria-label': 'Messages' } });

  /** Shows a notice; `details` lines are listed under the title. Returns a closer. */
  show(kind: NoticeKind, title: string, details: string[] = []): () => void {
    const close = () => notice.remove();
    const notice = h(
      'div',
      {
        className: `notice notice-${kind}`,
        attrs: { role: kind === 'error' ? 'alert' : 'status', 'data-kind': kind },
      },
      h('div', { className: 'notice-text' },
        h('strong', {}, title),
        details.length > 0 && h('ul', {}, ...details.map((line) => h('li', {}, line))),
      ),
      h('button', { className: 'notice-close', attrs: { type: 'button', 'aria-label': 'Dismiss' }, on: { click: close } }, '×'),
    );
    this.element.append(notice);
    return close;
  }

  /**
   * Asks the user to choose between `actions` (buttons under the title): the notice closes
   * and the chosen action runs; dismissing it chooses none.
   */
  ask(title: string, details: string[], actions: NoticeAction[]): () => void {
    let close = () => {};
    const buttons = h(
      'div',
      { className: 'notice-actions' },
      ...actions.map((action, i) =>
        h(
          'button',
          {
            className: i === 0 ? 'primary' : 'secondary',
            attrs: { type: 'button', 'data-testid': action.testId },
            on: {
              click: () => {
                close();
                action.run();
              },
            },
          },
          action.label,
        ),
      ),
    );
    close = this.show('info', title, details);
    const notice = this.element.lastElementChild;
    notice?.querySelector('.notice-text')?.append(buttons);
    notice?.setAttribute('data-testid', 'notice-choice');
    return close;
  }
}

/** A button of a notice that asks (`Notices.ask`). */
export interface NoticeAction {
  label: string;
  testId: string;
  run: () => void;
}
