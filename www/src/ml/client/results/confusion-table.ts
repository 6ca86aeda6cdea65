/**
 * A confusion matrix as a table: a row per actual class, a column per predicted class
 * (Spark's `confusionMatrix` layout), as weighted counts or as shares of each actual
 * class (row-normalised), each cell shaded by its share of the row.
 */
import { h } from '../../../ui/dom';
import { fmt } from './cells';

export type ConfusionCells = 'counts' | 'row shares';

/** `matrix[label][prediction]`; `labels` in class index order. */
export function confusionTable(testId: string, labels: string[], matrix: number[][], cells: ConfusionCells): HTMLTableElement {
  const rowTotals = matrix.map((row) => row.reduce((a, b) => a + b, 0));
  return h('table', { className: 'result-table confusion', attrs: { 'data-testid': testId } },
    h('thead', {},
      h('tr', {}, h('th', {}, 'actual ↓ predicted →'), ...labels.map((l) => h('th', {}, l)))),
    h('tbody', {}, ...matrix.map((row, actual) =>
      h('tr', { attrs: { 'data-actual': labels[actual] ?? String(actual) } },
        h('th', { attrs: { scope: 'row' } }, labels[actual] ?? String(actual)),
        ...row.map((count, predicted) => {
          const share = rowTotals[actual] > 0 ? count / rowTotals[actual] : 0;
          const shown = cells === 'counts' ? fmt(count) : `${(share * 100).toFixed(1)}%`;
          return h('td', {
            className: actual === predicted ? 'diagonal' : '',
            attrs: { 'data-predicted': labels[predicted] ?? String(predicted), 'data-value': String(cells === 'counts' ? count : share) },
            style: { background: `color-mix(in srgb, var(--accent) ${Math.round(share * 45)}%, transparent)` },
          }, shown);
        })))));
}
