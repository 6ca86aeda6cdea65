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
}
