/** How the Train tab's result tables show numbers: rounded for reading, exact in `data-value`. */
import { h } from '../../../ui/dom';

/** Six significant digits, exponential outside [1e-3, 1e5). */
export const fmt = (x: number): string =>
  Number.isFinite(x) ? (Math.abs(x) >= 1e5 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(4) : String(Number(x.toPrecision(6)))) : '—';

/** A number shown rounded, with its full value in `data-value` (for copying and tests). */
export const valueCell = (x: number): HTMLTableCellElement => h('td', { attrs: { 'data-value': String(x), title: String(x) } }, fmt(x));

/** A result table: a header row and body rows, with a test id. */
export function resultTable(testId: string, header: (string | HTMLElement)[], rows: HTMLTableRowElement[]): HTMLTableElement {
  return h('table', { className: 'result-table', attrs: { 'data-testid': testId } },
    h('thead', {}, h('tr', {}, ...header.map((cell) => h('th', {}, cell)))),
    h('tbody', {}, ...rows));
}
