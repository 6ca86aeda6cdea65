/**
 * A classifier's results: the label's classes (StringIndexer's mapping), then for two
 * classes the ROC and PR curves (of `rawPrediction[1]`, as Spark's evaluator reads it)
 * with a threshold control, for more the confusion matrix (counts and row shares); and a
 * LogisticRegression's coefficients, one column per coefficient set (binomial: class 1's
 * margin; multinomial: each class's).
 */
import { h } from '../../../ui/dom';
import { modelThresholds, type Diagnostics, type TrainedModel, type TrainResult } from '../../shared/training';
import { prChart, rocChart } from '../charts/binary-charts';
import type { ChartView } from '../charts/chart-view';
import { resultTable, valueCell } from './cells';
import type { TaskView } from './task-view';
import { confusionTable } from './confusion-table';
import { thresholdControl } from './threshold-control';

type LogisticModel = Extract<TrainedModel, { kind: 'logisticRegression' }>;
type ClassificationDiagnostics = Extract<Diagnostics, { kind: 'classification' }>;

export function classificationView(result: TrainResult, diagnostics: ClassificationDiagnostics, model: TrainedModel): TaskView {
  const { labels } = result;
  const logistic = model.kind === 'logisticRegression' ? model : undefined;
  const charts: ChartView[] = [];
  let evaluation: HTMLElement;
  if (diagnostics.binary) {
    const roc = rocChart(diagnostics.binary, diagnostics.rows);
    const pr = prChart(diagnostics.binary, diagnostics.rows);
    charts.push(roc, pr);
    const control = thresholdControl({
      binary: diagnostics.binary,
      labels,
      confusion: diagnostics.confusion,
      modelThreshold: decisionRule(model),
      binomial: logistic !== undefined && !logistic.model.isMultinomial,
      roc,
      pr,
    });
    evaluation = h('div', { className: 'train-binary' }, h('div', { className: 'train-charts' }, roc.element, pr.element), control);
  } else {
    evaluation = h('div', { className: 'train-results' },
      h('div', {}, h('h3', {}, `Confusion matrix (${diagnostics.rows} rows)`), confusionTable('train-confusion', labels, diagnostics.confusion, 'counts')),
      h('div', {}, h('h3', {}, 'Row-normalised'), confusionTable('train-confusion-normalised', labels, diagnostics.confusion, 'row shares')));
  }
  return {
    element: h('div', { className: 'train-task' },
      labelMapping(labels),
      evaluation,
      logistic ? h('div', {}, h('h3', {}, 'Coefficients'), coefficientsTable(result.features, labels, logistic), solverNote(logistic)) : null),
    charts,
  };
}

/** StringIndexer's mapping, `0 = no, 1 = yes`; or, for a label that held the indices itself, the classes. */
function labelMapping(labels: string[]): HTMLElement {
  const asIndices = labels.every((l, i) => l === String(i));
  return h('p', { className: 'label-mapping', attrs: { 'data-testid': 'train-label-mapping' } },
    asIndices ? `Classes: ${labels.join(', ')} (the label holds class indices)` : `Label indices (StringIndexer): ${labels.map((l, i) => `${i} = ${l}`).join(', ')}`);
}

function coefficientsTable(features: string[], labels: string[], model: LogisticModel): HTMLTableElement {
  const { coefficientMatrix, interceptVector, isMultinomial } = model.model;
  const scaled = model.scaler ? ', scaled features' : '';
  const columns = isMultinomial ? coefficientMatrix.map((_, k) => `${labels[k] ?? k}${scaled}`) : [`coefficient (margin of ${labels[1] ?? '1'}${scaled})`];
  return resultTable('train-coefficients', ['feature', ...columns], [
    ...features.map((f, j) => h('tr', {}, h('td', {}, f), ...coefficientMatrix.map((row) => valueCell(row[j])))),
    h('tr', {}, h('td', {}, '(intercept)'), ...interceptVector.map((b) => valueCell(b))),
  ]);
}

/** A two-class model's decision rule, as Spark's `threshold` / `thresholds` params say. */
function decisionRule(model: TrainedModel): string {
  const thresholds = modelThresholds(model);
  if (thresholds?.length) return `thresholds ${thresholds.join(', ')}`;
  if (model.kind === 'logisticRegression' && !model.model.isMultinomial) return `probability > ${model.model.threshold}`;
  return 'the class of largest probability';
}

function solverNote(model: LogisticModel): HTMLElement {
  const { numIterations, converged, isMultinomial, numClasses } = model.model;
  return h('p', { className: 'hint', attrs: { 'data-testid': 'train-solver' } },
    `${isMultinomial ? 'multinomial' : 'binomial'}, ${numClasses} classes · ${numIterations} passes over the data · `,
    converged ? 'converged' : h('strong', {}, 'did not converge within maxIter: raise maxIter or tol'));
}
