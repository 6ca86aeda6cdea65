/**
 * Draws a result chart the engine computed (`ChartData`) with Chart.js, offers the same
 * values as a table (a canvas is not text a screen reader, a search or a test can read),
 * and saves the chart as a PNG. Every label comes from the data and is drawn on the
 * canvas or put in text nodes, never parsed as HTML.
 */
import { ArcElement, Chart, type ChartConfiguration, Filler, PieController } from 'chart.js';

import type { ChartData } from '../../contract/ChartData';
import { type ChartView, chartView, paletteColour } from '../../ml/client/charts/chart-view';
import { h } from '../../ui/dom';

// What the Train tab's charts (chart-view.ts) do not register: pies and filled areas.
Chart.register(PieController, ArcElement, Filler);

/** Draws `data` in a figure titled `title` (`data-testid="sql-chart"`). */
export function drawChart(data: ChartData, title: string): ChartView {
  const view = chartView('sql-chart', title, data.kind === 'pie' || data.datasets.length > 1, config(data));
  view.element.classList.add('sql-chart');
  return view;
}

/** Lines, areas and points over a numeric X sit on a linear axis at their X values. */
function onLinearAxis(data: ChartData): boolean {
  return data.xKind === 'number' && data.xValues !== undefined && ['line', 'area', 'scatter'].includes(data.kind);
}

function config(data: ChartData): ChartConfiguration {
  if (data.kind === 'pie') {
    return {
      type: 'pie',
      data: {
        labels: data.labels,
        datasets: data.datasets.map((d) => ({
          label: d.label,
          data: d.values,
          backgroundColor: data.labels.map((_, i) => paletteColour(i, 0.85)),
        })),
      },
    };
  }
  const linear = onLinearAxis(data);
  const bars = data.kind === 'bar' || data.kind === 'histogram';
  const dense = data.labels.length > 200;
  const datasets = data.datasets.map((d, i) => ({
    label: d.label,
    data: linear ? points(data.xValues ?? [], d.values) : d.values,
    borderColor: paletteColour(i),
    backgroundColor: paletteColour(i, data.kind === 'area' ? 0.25 : 0.8),
    ...(bars
      ? data.kind === 'histogram' ? { barPercentage: 1, categoryPercentage: 1 } : {}
      : {
          fill: data.kind === 'area' ? 'origin' : false,
          showLine: data.kind !== 'scatter',
          borderWidth: data.kind === 'scatter' ? 0 : 1.5,
          pointRadius: data.kind === 'scatter' ? 2.5 : dense ? 0 : 2,
        }),
  }));
  const y = data.kind === 'histogram' ? 'count' : [...new Set(data.datasets.map((d) => d.y))].join(', ');
  return {
    type: bars ? 'bar' : linear && data.kind === 'scatter' ? 'scatter' : 'line',
    data: { labels: linear ? undefined : data.labels, datasets },
    options: {
      scales: {
        x: linear
          ? { type: 'linear', title: { display: true, text: data.x } }
          : { type: 'category', title: { display: true, text: data.x }, ticks: { autoSkip: true, maxRotation: 60 } },
        y: { beginAtZero: bars || data.kind === 'area', title: { display: true, text: y } },
      },
    },
  } as ChartConfiguration;
}

/** `{x, y}` points where X is known (a NULL X has no place on a numeric axis). */
function points(xs: (number | null)[], ys: (number | null)[]): { x: number; y: number | null }[] {
  const out: { x: number; y: number | null }[] = [];
  xs.forEach((x, i) => {
    if (x !== null) out.push({ x, y: ys[i] ?? null });
  });
  return out;
}

/**
 * The chart's values as a table: a row per X label, a column per dataset. Each cell keeps
 * the exact number in `data-value` (empty for NULL); its text is rounded for reading.
 */
export function chartTable(data: ChartData): HTMLElement {
  const format = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 8 });
  return h('table', { className: 'result-table', attrs: { 'data-testid': 'sql-chart-data' } },
    h('thead', {}, h('tr', {}, h('th', {}, data.kind === 'histogram' ? `${data.x} (bin)` : data.x), ...data.datasets.map((d) => h('th', {}, d.label)))),
    h('tbody', {}, ...data.labels.map((label, row) => h('tr', {},
      h('th', { attrs: { scope: 'row' } }, label),
      ...data.datasets.map((d) => {
        const value = d.values[row];
        return h('td', { attrs: { 'data-value': value === null || value === undefined ? '' : String(value) } },
          value === null || value === undefined ? 'null' : format.format(value));
      }),
    ))),
  );
}

/** The chart as a PNG, on white (the canvas itself is transparent). */
export function chartPng(view: ChartView): Promise<Blob> {
  const canvas = view.chart.canvas;
  const out = document.createElement('canvas');
  out.width = canvas.width;
  out.height = canvas.height;
  const context = out.getContext('2d');
  if (!context) return Promise.reject(new Error('This browser cannot draw the chart as an image.'));
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, out.width, out.height);
  context.drawImage(canvas, 0, 0);
  return new Promise((resolve, reject) =>
    out.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('The chart could not be saved as PNG.'))), 'image/png'),
  );
}
