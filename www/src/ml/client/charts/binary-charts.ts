/**
 * A binary classifier's curves: ROC `(FPR, recall)` and PR `(recall, precision)`, as
 * Spark's BinaryClassificationMetrics draws them, each with the point the threshold
 * control has chosen marked (`mark` moves it).
 */
import type { BinaryEvaluation, CurvePoint } from '../../../contract';
import { ACCENT, type ChartView, INK, MUTED, chartView } from './chart-view';

/** A curve with a movable marker. */
export interface MarkedChart extends ChartView {
  mark(point: CurvePoint): void;
}

const MARKER = 2;

function curveChart(testId: string, title: string, curve: CurvePoint[], curveLabel: string, reference: { label: string; points: CurvePoint[] }, axes: [string, string]): MarkedChart {
  const view = chartView(testId, title, true, {
    type: 'scatter',
    data: {
      datasets: [
        { label: curveLabel, data: curve, showLine: true, borderColor: ACCENT, borderWidth: 2, pointRadius: 0 },
        { label: reference.label, data: reference.points, showLine: true, borderColor: MUTED, borderWidth: 1, borderDash: [4, 4], pointRadius: 0 },
        { label: 'chosen threshold', data: [], pointRadius: 6, pointBackgroundColor: INK, borderColor: INK },
      ],
    },
    options: {
      scales: {
        x: { min: 0, max: 1, title: { display: true, text: axes[0] } },
        y: { min: 0, max: 1, title: { display: true, text: axes[1] } },
      },
    },
  });
  return {
    ...view,
    mark(point) {
      view.chart.data.datasets[MARKER].data = [point];
      view.chart.update('none');
    },
  };
}

/** `rows`: which rows were evaluated (`test` or `train`). */
export function rocChart(binary: BinaryEvaluation, rows: string): MarkedChart {
  return curveChart(
    'chart-roc',
    `ROC curve, areaUnderROC ${binary.areaUnderROC.toFixed(4)} (${rows} rows)`,
    binary.roc,
    'ROC',
    { label: 'chance', points: [{ x: 0, y: 0 }, { x: 1, y: 1 }] },
    ['false positive rate', 'true positive rate (recall)'],
  );
}

export function prChart(binary: BinaryEvaluation, rows: string): MarkedChart {
  const base = binary.positives / (binary.positives + binary.negatives);
  return curveChart(
    'chart-pr',
    `precision–recall curve, areaUnderPR ${binary.areaUnderPR.toFixed(4)} (${rows} rows)`,
    binary.pr,
    'PR',
    { label: 'share of positives', points: [{ x: 0, y: base }, { x: 1, y: base }] },
    ['recall', 'precision'],
  );
}
