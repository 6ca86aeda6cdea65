/**
 * A training's results, whatever the estimator: the one-line summary, the grid (tuned
 * values, avg and std of the metric over folds, the best row marked) and its chart, the
 * refitted model's metrics on train, validation and test rows (every metric of the task's
 * evaluator), then the task's own view.
 */
import { METRICS } from '../../../contract';
import { h } from '../../../ui/dom';
import { formatCount, formatDuration } from '../../../ui/format';
import type { MetricSet, TrainResult } from '../../shared/training';
import { gridChart } from '../charts/grid-chart';
import { fmt, resultTable, valueCell } from './cells';
import type { TaskView } from './task-view';
import { classificationView } from './classification-view';
import { clusteringView } from './clustering-view';
import { regressionView } from './regression-view';
import { treeView } from './tree-view';

/** The status line after a training, `data-elapsed-ms` holding how long it took. */
export function summary(result: TrainResult, axes: string[]): HTMLElement {
  const best = result.grid[result.bestIndex];
  const bestText = axes.map((k) => `${k} = ${String(best.params[k])}`).join(', ') || 'the only point';
  const classes = result.task === 'classification' ? ` · ${result.labels.length} classes` : '';
  return h('span', { attrs: { 'data-testid': 'train-summary', 'data-elapsed-ms': result.elapsedMs.toFixed(2) } },
    `Best: ${bestText} (avg ${result.metric} ${fmt(best.avgMetric)}) · ${result.grid.length} grid points · ${formatCount(result.rows.train)} training rows` +
      (result.rows.test ? ` · ${formatCount(result.rows.test)} test rows` : '') +
      (result.rows.skipped ? ` · ${formatCount(result.rows.skipped)} skipped` : '') + classes + ` · ${formatDuration(result.elapsedMs)}`);
}

/** `axes`: the grid's parameters in the order they were added (Spark's ParamGridBuilder). */
export function resultsView(result: TrainResult, axes: string[]): TaskView {
  const grid = gridChart(result, axes);
  const task = taskView(result);
  return {
    element: h('div', { className: 'train-results-all' },
      h('div', { className: 'train-results' },
        h('div', {}, h('h3', {}, 'Grid'), gridTable(result, axes)),
        h('div', {}, h('h3', {}, 'Metrics of the best point'), metricsTable(result))),
      h('div', { className: 'train-charts' }, grid.element),
      task.element),
    charts: [grid, ...task.charts],
  };
}

function gridTable(result: TrainResult, axes: string[]): HTMLTableElement {
  return resultTable('train-grid', [...axes, `avg ${result.metric}`, `std ${result.metric}`],
    result.grid.map((point, i) =>
      h('tr', { className: i === result.bestIndex ? 'best' : '', attrs: i === result.bestIndex ? { 'data-best': 'true' } : {} },
        ...axes.map((a) => h('td', {}, String(point.params[a]))), h('td', {}, fmt(point.avgMetric)), h('td', {}, fmt(point.stdMetric)))));
}

/**
 * A row per metric (the tuned one marked), a column per set of rows: the best point
 * refitted on all training rows and scored on them and on the test rows; its validation
 * metrics are the folds' average.
 */
function metricsTable(result: TrainResult): HTMLTableElement {
  const sets: [string, MetricSet][] = [['train (refitted)', result.trainMetrics], ['validation (avg over folds)', result.validationMetrics]];
  if (result.testMetrics) sets.push(['test (refitted)', result.testMetrics]);
  const known = METRICS.map((m) => m.name as string);
  const names = [...new Set(sets.flatMap(([, set]) => Object.keys(set.values)))]
    .sort((a, b) => (known.indexOf(a) === -1 ? Infinity : known.indexOf(a)) - (known.indexOf(b) === -1 ? Infinity : known.indexOf(b)));
  return resultTable('train-metrics', ['', ...sets.map(([name]) => name)], [
    ...names.map((name) => h('tr', { className: name === result.metric ? 'best' : '', attrs: { 'data-metric': name } },
      h('td', {}, name), ...sets.map(([, set]) => (name in set.values ? valueCell(set.values[name]) : h('td', {}, '—'))))),
    h('tr', { attrs: { 'data-metric': 'rows' } }, h('td', {}, 'rows'), ...sets.map(([, set]) => h('td', {}, formatCount(set.rows)))),
  ]);
}

/** The task's view (a linear or logistic model's coefficients in it), then a tree model's trees. */
function taskView(result: TrainResult): TaskView {
  const { model, diagnostics } = result;
  const task = (): TaskView | undefined => {
    if (diagnostics.kind === 'regression' && model.kind !== 'logisticRegression' && model.kind !== 'kMeans') {
      return regressionView(result, diagnostics, model.kind === 'linearRegression' ? model : undefined);
    }
    if (diagnostics.kind === 'classification') return classificationView(result, diagnostics, model);
    if (model.kind === 'kMeans' && diagnostics.kind === 'clustering') return clusteringView(result, model, diagnostics);
    return undefined;
  };
  const view = task();
  if (!view) return { element: h('p', { className: 'error-text' }, `The engine answered a ${model.kind} model with ${diagnostics.kind} diagnostics.`), charts: [] };
  const trees = treeView(result);
  if (!trees) return view;
  return { element: h('div', {}, view.element, trees.element), charts: [...view.charts, ...trees.charts] };
}
