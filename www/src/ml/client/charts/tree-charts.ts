/** A tree model's charts: Spark's feature importances, and GBT's loss after each iteration. */
import type { GbtModel } from '../../../contract';
import { ACCENT, type ChartView, INK, MUTED, chartView } from './chart-view';

/** The features by importance, largest first (bars), as Spark's `featureImportances`. */
export function importancesChart(features: string[], importances: number[]): ChartView {
  const order = features.map((_, i) => i).sort((a, b) => importances[b] - importances[a]);
  return chartView('chart-importances', 'feature importances (Spark\'s featureImportances, summing to 1)', false, {
    type: 'bar',
    data: {
      labels: order.map((i) => features[i]),
      datasets: [{ label: 'importance', data: order.map((i) => importances[i]), backgroundColor: ACCENT }],
    },
    options: { indexAxis: 'y', scales: { x: { min: 0, title: { display: true, text: 'importance' } } } },
  });
}

/** GBT's weighted mean loss on the training rows after each iteration (and on the validation rows, when it had some). */
export function lossChart(model: GbtModel): ChartView {
  const iterations = model.trainingLoss.map((_, i) => String(i + 1));
  const datasets = [{ label: `training loss (${model.loss})`, data: model.trainingLoss, borderColor: INK, borderWidth: 1, pointRadius: 2 }];
  if (model.validationLoss.length) {
    datasets.push({ label: 'validation loss', data: model.validationLoss, borderColor: MUTED, borderWidth: 1, pointRadius: 2 });
  }
  return chartView('chart-gbt-loss', `${model.loss} loss after each boosting iteration`, true, {
    type: 'line',
    data: { labels: iterations, datasets },
    options: { scales: { x: { title: { display: true, text: 'iteration (trees)' } }, y: { title: { display: true, text: 'loss' } } } },
  });
}
