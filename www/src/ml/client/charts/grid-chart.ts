/** The metric per grid point with its spread over folds, the best point marked: every estimator's first chart. */
import type { TrainResult } from '../../shared/training';
import { ACCENT, type ChartView, INK, MUTED, chartView } from './chart-view';

/** `axes`: the tuned parameters, in the order the grid was built. */
export function gridChart(result: TrainResult, axes: string[]): ChartView {
  const labels = result.grid.map((point, i) => axes.map((a) => `${a}=${String(point.params[a])}`).join(', ') || `point ${i + 1}`);
  const band = (sign: number, label: string) => ({
    type: 'line' as const,
    label,
    data: result.grid.map((p) => p.avgMetric + sign * p.stdMetric),
    borderColor: MUTED,
    borderWidth: 1,
    borderDash: [3, 3],
    pointRadius: 0,
  });
  return chartView('chart-grid', `avg ${result.metric} per grid point, ± std over folds (dashed)`, true, {
    type: 'line',
    data: {
      labels,
      datasets: [
        {
          label: `avg ${result.metric} (best in orange)`,
          data: result.grid.map((p) => p.avgMetric),
          borderColor: INK,
          borderWidth: 1,
          pointRadius: result.grid.map((_, i) => (i === result.bestIndex ? 6 : 3)),
          pointBackgroundColor: result.grid.map((_, i) => (i === result.bestIndex ? ACCENT : MUTED)),
        },
        band(1, 'avg ± std over folds'),
        band(-1, 'avg − std over folds'),
      ],
    },
    options: {
      plugins: {
        // One legend entry for the two dashed lines.
        legend: { labels: { filter: (item) => item.datasetIndex !== 2 } },
        tooltip: {
          filter: (item) => item.datasetIndex === 0,
          callbacks: { afterLabel: (item) => `std ${result.grid[item.dataIndex].stdMetric.toPrecision(4)}` },
        },
      },
      scales: { x: { ticks: { autoSkip: true, maxRotation: 60 } }, y: { title: { display: true, text: result.metric } } },
    },
  });
}
