/** A regression's charts: predicted against actual for a sample of rows, and the residuals' histogram. */
import type { Diagnostics } from '../../shared/training';
import { ACCENT, type ChartView, INK, chartView } from './chart-view';

type RegressionDiagnostics = Extract<Diagnostics, { kind: 'regression' }>;

export function predictedVsActualChart(d: RegressionDiagnostics, label: string): ChartView {
  const points = d.actual.map((x, i) => ({ x, y: d.predicted[i] }));
  const lo = Math.min(...d.actual, ...d.predicted);
  const hi = Math.max(...d.actual, ...d.predicted);
  return chartView('chart-predicted', `predicted vs actual ${label} (${d.rows} rows, sample of ${d.actual.length})`, true, {
    type: 'scatter',
    data: {
      datasets: [
        { label: 'rows', data: points, pointRadius: 2, backgroundColor: 'rgba(194, 65, 12, 0.45)' },
        { type: 'line', label: 'predicted = actual', data: [{ x: lo, y: lo }, { x: hi, y: hi }], borderColor: INK, borderWidth: 1, pointRadius: 0, borderDash: [4, 4] },
      ],
    },
    options: {
      scales: { x: { title: { display: true, text: `actual ${label}` } }, y: { title: { display: true, text: 'predicted' } } },
    },
  });
}

export function residualsChart(d: RegressionDiagnostics): ChartView {
  const { start, width, counts, below, above } = d.residuals;
  const centres = counts.map((_, i) => (start + (i + 0.5) * width).toPrecision(3));
  const outside = below + above ? ` · ${below + above} beyond ±4 sd` : '';
  return chartView('chart-residuals', `residuals, actual − predicted (${d.rows} rows${outside})`, false, {
    type: 'bar',
    data: { labels: centres, datasets: [{ label: 'rows', data: counts, backgroundColor: ACCENT, barPercentage: 1, categoryPercentage: 1 }] },
    options: { scales: { y: { title: { display: true, text: 'rows' } } } },
  });
}
