/**
 * A table grid that stays smooth on millions of rows: only the rows in view are in the
 * DOM, rows come from `RowWindows` block by block, and past a few million pixels the
 * scrollbar maps proportionally onto rows (browsers cap element heights). It shows the
 * first `GRID_COLUMNS` columns and says how many more there are: a file of 20,000 columns
 * would otherwise put millions of cells in the DOM.
 */
import type { ColumnInfo } from '../engine/shared/api';
import { h, replaceChildren } from '../ui/dom';
import { formatCount } from '../ui/format';
import type { Cell, RowWindows } from './row-windows';

const ROW_HEIGHT = 26;
/** Tallest spacer we let the browser lay out. */
const MAX_SCROLL_HEIGHT = 8_000_000;
const OVERSCAN_ROWS = 6;
/** Most columns the grid shows (and asks the engine for). */
export const GRID_COLUMNS = 200;

export class VirtualGrid {
  readonly element: HTMLElement;
  private readonly viewport: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly body: HTMLElement;
  private readonly template: string;
  private frame = 0;

  private readonly columns: ColumnInfo[];

  constructor(
    allColumns: ColumnInfo[],
    private readonly rows: RowWindows,
    label: string,
  ) {
    this.columns = allColumns.slice(0, GRID_COLUMNS);
    const columns = this.columns;
    this.template = ['minmax(64px, max-content)', ...columns.map(columnWidth)].join(' ');
    const header = h(
      'div',
      { className: 'grid-row grid-header', attrs: { role: 'row' }, style: { 'grid-template-columns': this.template } },
      h('div', { className: 'grid-cell grid-rownum', attrs: { role: 'columnheader' } }, '#'),
      ...columns.map((column) =>
        h(
          'div',
          { className: 'grid-cell', attrs: { role: 'columnheader', title: `${column.name}: ${column.dataType}` } },
          h('span', { className: 'grid-colname cut' }, column.name),
          h('span', { className: 'grid-coltype' }, column.dataType),
        ),
      ),
    );
    this.spacer = h('div', { className: 'grid-spacer' });
    this.body = h('div', { className: 'grid-body', attrs: { role: 'rowgroup' } });
    this.viewport = h(
      'div',
      { className: 'grid-viewport', attrs: { tabindex: '0' }, on: { scroll: () => this.schedule() } },
      header,
      this.spacer,
      this.body,
    );
    this.element = h(
      'div',
      {
        className: 'grid',
        attrs: {
          role: 'grid',
          'aria-label': label,
          'aria-rowcount': String(rows.rowCount + 1),
          'aria-colcount': String(columns.length),
        },
      },
      this.viewport,
      allColumns.length > columns.length &&
        h(
          'p',
          { className: 'grid-note', attrs: { 'data-testid': 'grid-more-columns' } },
          `Showing the first ${formatCount(columns.length)} of ${formatCount(allColumns.length)} columns; ` +
            'select the others with SQL to see them.',
        ),
    );
    this.spacer.style.height = `${Math.min(rows.rowCount * ROW_HEIGHT, MAX_SCROLL_HEIGHT)}px`;
    new ResizeObserver(() => this.schedule()).observe(this.viewport);
    this.schedule();
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  /** The first row in view and how far the row layer sits below the header. */
  private firstVisibleRow(visible: number): { first: number; shift: number } {
    const total = this.rows.rowCount * ROW_HEIGHT;
    const top = this.viewport.scrollTop;
    if (total <= MAX_SCROLL_HEIGHT) {
      const first = Math.floor(top / ROW_HEIGHT);
      return { first, shift: first * ROW_HEIGHT };
    }
    const maxScroll = Math.max(1, MAX_SCROLL_HEIGHT - this.viewport.clientHeight);
    const lastFirst = Math.max(0, this.rows.rowCount - visible);
    const first = Math.min(lastFirst, Math.round((top / maxScroll) * lastFirst));
    return { first, shift: top };
  }

  private render(): void {
    const visible = Math.ceil(this.viewport.clientHeight / ROW_HEIGHT) + 1;
    const { first, shift } = this.firstVisibleRow(visible);
    const start = Math.max(0, first - (shift === first * ROW_HEIGHT ? OVERSCAN_ROWS : 0));
    const end = Math.min(this.rows.rowCount, first + visible + OVERSCAN_ROWS);
    const offset = shift - (first - start) * ROW_HEIGHT;
    this.body.style.transform = `translateY(${offset}px)`;
    const elements: HTMLElement[] = [];
    for (let row = start; row < end; row++) {
      const cells = this.rows.peek(row, () => this.schedule());
      elements.push(this.renderRow(row, cells));
    }
    replaceChildren(this.body, ...elements);
  }

  private renderRow(row: number, cells: Cell[] | undefined): HTMLElement {
    return h(
      'div',
      {
        className: 'grid-row',
        attrs: { role: 'row', 'aria-rowindex': String(row + 2) },
        style: { 'grid-template-columns': this.template },
      },
      h('div', { className: 'grid-cell grid-rownum', attrs: { role: 'rowheader' } }, formatCount(row + 1)),
      ...this.columns.map((_, c) => {
        if (!cells) return h('div', { className: 'grid-cell grid-loading', attrs: { role: 'gridcell' } }, '…');
        const value = cells[c];
        return value === null
          ? h('div', { className: 'grid-cell grid-null', attrs: { role: 'gridcell' } }, 'null')
          : h('div', { className: 'grid-cell', attrs: { role: 'gridcell', title: value } }, value);
      }),
    );
  }

  /** Scrolls so that `row` (0-based) is the first row in view. */
  scrollToRow(row: number): void {
    const total = this.rows.rowCount * ROW_HEIGHT;
    if (total <= MAX_SCROLL_HEIGHT) {
      this.viewport.scrollTop = row * ROW_HEIGHT;
    } else {
      const visible = Math.ceil(this.viewport.clientHeight / ROW_HEIGHT) + 1;
      const lastFirst = Math.max(1, this.rows.rowCount - visible);
      this.viewport.scrollTop = (row / lastFirst) * (MAX_SCROLL_HEIGHT - this.viewport.clientHeight);
    }
    this.render();
  }
}

/** A column width from its type: numbers narrow, text wider. */
function columnWidth(column: ColumnInfo): string {
  const byType =
    column.dataType === 'string' ? 200 : column.dataType.startsWith('timestamp') ? 190 : column.dataType === 'date' ? 110 : 110;
  const byName = column.name.length * 8 + 24;
  return `${Math.min(320, Math.max(byType, byName))}px`;
}
