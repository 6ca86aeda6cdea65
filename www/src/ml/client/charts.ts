/**
 * A training's three charts (Chart.js on canvas): the metric per grid point, predicted
 * against actual, and the residuals' histogram. Everything drawn comes from the engine's
 * `TrainResult`; labels are drawn on canvas, never parsed as HTML.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartConfiguration,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  ScatterController,
  Tooltip,
} from 'chart.js';
import { h } from '../../ui/dom';
import type { Diagnostics, TrainResult } from '../shared/training';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, ScatterController, Tooltip);

const ACCENT = '#c2410c';
const MUTED = '#9ca3af';
const INK = '#1f2328';

/** A titled canvas holding one chart; `destroy` frees it when the results are replaced. */
export interface ChartView {
  element: HTMLElement;
  chart: Chart;
}

function chartView(testId: string, title: string, config: ChartConfiguration): ChartView {
  const canvas = h('canvas', { attrs: { role: 'img', 'aria-label': title } });
  const element = h('figure', { className: 'chart', attrs: { 'data-testid': testId } }, h('figcaption', {}, title), h('div', { className: 'chart-box' }, canvas));
  const chart = new Chart(canvas, {
    ...config,
    options: { animation: false, responsive: true, maintainAspectRatio: false, ...config.options },
  });
  return { element, chart };
}

/** `axes`: the tuned parameters, in the order the grid was built. */
export function gridChart(result: TrainResult, axes: string[]): ChartView {
  const labels = result.grid.map((point, i) => axes.map((a) => `${a}=${point.params[a]}`).join(', ') || `point ${i + 1}`);
  const avg = result.grid.map((p) => p.avgMetric);
  const band = (sign: number) => ({
    type: 'line' as const,
    data: result.grid.map((p) => p.avgMetric + sign * p.stdMetric),
    borderColor: MUTED,
    borderWidth: 1,
    borderDash: [3, 3],
    pointRadius: 0,
  });
  return chartView('chart-grid', `avg ${result.metric} per grid point, ± std over folds (dashed)`, {
    type: 'line',
    data: {
      labels,
      datasets: [
        {
          data: avg,
          borderColor: INK,
          borderWidth: 1,
          pointRadius: result.grid.map((_, i) => (i === result.bestIndex ? 6 : 3)),
          pointBackgroundColor: result.grid.map((_, i) => (i === result.bestIndex ? ACCENT : MUTED)),
        },
        band(1),
        band(-1),
      ],
    },
    options: {
      plugins: {
        tooltip: {
          filter: (item) => item.datasetIndex === 0,
          callbacks: { afterLabel: (item) => `std ${result.grid[item.dataIndex].stdMetric.toPrecision(4)}` },
        },
      },
      scales: { x: { ticks: { autoSkip: true, maxRotation: 60 } }, y: { title: { display: true, text: result.metric } } },
    },
  });
}

export function predictedVsActualChart(d: Diagnostics, label: string): ChartView {
  const points = d.actual.map((x, i) => ({ x, y: d.predicted[i] }));
  const lo = Math.min(...d.actual, ...d.predicted);
  const hi = Math.max(...d.actual, ...d.predicted);
  return chartView('chart-predicted', `predicted vs actual ${label} (${d.rows} rows, sample of ${d.actual.length})`, {
    type: 'scatter',
    data: {
      datasets: [
        { data: points, pointRadius: 2, backgroundColor: 'rgba(194, 65, 12, 0.45)' },
        { type: 'line', data: [{ x: lo, y: lo }, { x: hi, y: hi }], borderColor: INK, borderWidth: 1, pointRadius: 0, borderDash: [4, 4] },
      ],
    },
    options: {
      scales: { x: { title: { display: true, text: `actual ${label}` } }, y: { title: { display: true, text: 'predicted' } } },
    },
  });
}

export function residualsChart(d: Diagnostics): ChartView {
  const { start, width, counts, below, above } = d.residuals;
  const centres = counts.map((_, i) => (start + (i + 0.5) * width).toPrecision(3));
  const outside = below + above ? ` · ${below + above} beyond ±4 sd` : '';
  return chartView('chart-residuals', `residuals, actual − predicted (${d.rows} rows${outside})`, {
    type: 'bar',
    data: { labels: centres, datasets: [{ data: counts, backgroundColor: ACCENT, barPercentage: 1, categoryPercentage: 1 }] },
    options: { scales: { y: { title: { display: true, text: 'rows' } } } },
  });
}
