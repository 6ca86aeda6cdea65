/** A regression's results: predicted vs actual, the residuals, and a LinearRegression's refitted coefficients and intercept. */
import { h } from '../../../ui/dom';
import type { Diagnostics, TrainedModel, TrainResult } from '../../shared/training';
import { predictedVsActualChart, residualsChart } from '../charts/regression-charts';
import { resultTable, valueCell } from './cells';
import type { TaskView } from './task-view';

type LinearRegressionModel = Extract<TrainedModel, { kind: 'linearRegression' }>;

export function regressionView(result: TrainResult, diagnostics: Extract<Diagnostics, { kind: 'regression' }>, linear?: LinearRegressionModel): TaskView {
  const charts = [predictedVsActualChart(diagnostics, result.label ?? 'label'), residualsChart(diagnostics)];
  return {
    element: h('div', { className: 'train-task' },
      h('div', { className: 'train-charts' }, ...charts.map((c) => c.element)),
      linear ? h('div', {}, h('h3', {}, 'Coefficients'), coefficientsTable(result, linear)) : null),
    charts,
  };
}

function coefficientsTable(result: TrainResult, model: LinearRegressionModel): HTMLTableElement {
  return resultTable('train-coefficients', ['feature', model.scaler ? 'coefficient (scaled feature)' : 'coefficient'], [
    ...result.features.map((f, j) => h('tr', {}, h('td', {}, f), valueCell(model.model.coefficients[j]))),
    h('tr', {}, h('td', {}, '(intercept)'), valueCell(model.model.intercept)),
  ]);
}
