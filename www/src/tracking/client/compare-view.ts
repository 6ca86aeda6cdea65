/**
 * Comparing selected runs: params and metrics side by side (rows that differ marked), a
 * parallel-coordinates chart of the numeric params against a metric (SVG built with
 * createElementNS; labels are text nodes), a scatter of any param or metric against
 * another, and a metric's history per run (Chart.js).
 */
import { Chart, Legend, LinearScale, LineController, LineElement, PointElement, ScatterController, Tooltip } from 'chart.js';

import { h, replaceChildren } from '../../ui/dom';
import { type RunRow, formatNumber } from './runs-table';

Chart.register(LinearScale, LineController, LineElement, PointElement, ScatterController, Tooltip, Legend);

const SVG = 'http://www.w3.org/2000/svg';
const PALETTE = ['#c2410c', '#1d4ed8', '#15803d', '#7c3aed', '#b45309', '#0e7490', '#be123c', '#4d7c0f'];

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, ...children: (Node | string)[]): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) element.setAttribute(k, String(v));
  for (const child of children) element.append(typeof child === 'string' ? document.createTextNode(child) : child);
  return element;
}

/** `params.x` or `metrics.y` for a run, as a number when it is one. */
function valueOf(row: RunRow, column: string): number | undefined {
  const [kind, ...rest] = column.split('.');
  const key = rest.join('.');
  const raw = kind === 'metrics' ? row.metrics[key] : Number(row.run.params[key]);
  if (kind === 'params' && (row.run.params[key] === undefined || row.run.params[key].trim() === '')) return undefined;
  return Number.isFinite(raw) ? raw : undefined;
}

export class CompareView {
  readonly element = h('div', { className: 'compare-view', attrs: { 'data-testid': 'compare-view', hidden: '' } });
  private charts: { destroy(): void }[] = [];

  close(): void {
    for (const chart of this.charts) chart.destroy();
    this.charts = [];
    this.element.setAttribute('hidden', '');
    replaceChildren(this.element);
  }

  show(rows: RunRow[]): void {
    this.close();
    this.element.removeAttribute('hidden');
    const paramKeys = [...new Set(rows.flatMap((r) => Object.keys(r.run.params)))].sort();
    const metricKeys = [...new Set(rows.flatMap((r) => Object.keys(r.metrics)))].sort();
    const differs = (values: (string | undefined)[]) => new Set(values).size > 1;
    const side = h('table', { className: 'result-table compare-table', attrs: { 'data-testid': 'compare-table' } },
      h('thead', {}, h('tr', {}, h('th', {}, ''), ...rows.map((r) => h('th', {}, r.run.runName)))),
      h('tbody', {},
        ...paramKeys.map((k) => {
          const values = rows.map((r) => r.run.params[k]);
          return h('tr', { className: differs(values) ? 'differs' : '' }, h('td', {}, `params.${k}`), ...values.map((v) => h('td', {}, v ?? '')));
        }),
        ...metricKeys.map((k) => {
          const values = rows.map((r) => (r.metrics[k] === undefined ? undefined : formatNumber(r.metrics[k])));
          return h('tr', { className: differs(values) ? 'differs' : '', attrs: { 'data-metric': k } }, h('td', {}, `metrics.${k}`), ...values.map((v) => h('td', {}, v ?? '')));
        })));

    const numericParams = paramKeys.filter((k) => rows.some((r) => valueOf(r, `params.${k}`) !== undefined));
    const columns = [...numericParams.map((k) => `params.${k}`), ...metricKeys.map((k) => `metrics.${k}`)];
    const options = (selected: string) => columns.map((c) => {
      const option = h('option', { attrs: { value: c } }, c);
      option.selected = c === selected;
      return option;
    });
    // The runs' tuning metric (its fold average when logged): rmse, areaUnderROC, silhouette, ...
    const tuned = rows.map((r) => r.run.params.metricName).find((m) => m !== undefined);
    const metricDefault = (tuned && [`avg_${tuned}`, tuned].find((k) => metricKeys.includes(k))) || metricKeys[0] || '';

    // Parallel coordinates: each varying numeric param, then the chosen metric.
    const pcMetric = h('select', { attrs: { 'data-testid': 'parallel-metric' } }, ...metricKeys.map((k) => h('option', { attrs: { value: k } }, k)));
    pcMetric.value = metricDefault;
    const pcBox = h('div', { className: 'parallel', attrs: { 'data-testid': 'parallel-coordinates' } });
    const drawParallel = () => replaceChildren(pcBox, this.parallel(rows, numericParams.filter((k) => differs(rows.map((r) => r.run.params[k]))), pcMetric.value));
    pcMetric.addEventListener('change', drawParallel);
    drawParallel();

    // Scatter of any two columns.
    const xSelect = h('select', { attrs: { 'data-testid': 'scatter-x' } }, ...options(columns.find((c) => c.startsWith('params.')) ?? columns[0] ?? ''));
    const ySelect = h('select', { attrs: { 'data-testid': 'scatter-y' } }, ...options(`metrics.${metricDefault}`));
    const scatterCanvas = h('canvas', { attrs: { role: 'img', 'aria-label': 'scatter of two run columns' } });
    const scatter = new Chart<'scatter', { x: number; y: number }[]>(scatterCanvas, {
      type: 'scatter',
      data: { datasets: [{ data: [], backgroundColor: PALETTE[0], pointRadius: 4 }] },
      options: { animation: false, responsive: true, maintainAspectRatio: false, plugins: { legend: { display: false } } },
    });
    const drawScatter = () => {
      scatter.data.datasets[0].data = rows
        .map((r) => ({ x: valueOf(r, xSelect.value), y: valueOf(r, ySelect.value) }))
        .filter((p): p is { x: number; y: number } => p.x !== undefined && p.y !== undefined);
      scatter.options.scales = { x: { type: 'linear', title: { display: true, text: xSelect.value } }, y: { title: { display: true, text: ySelect.value } } };
      scatter.update();
    };
    xSelect.addEventListener('change', drawScatter);
    ySelect.addEventListener('change', drawScatter);
    drawScatter();

    // A metric's history (step on x), one line per run.
    const historyKeys = [...new Set(rows.flatMap((r) => Object.keys(r.run.metrics)))].sort();
    const historyKey = h('select', { attrs: { 'data-testid': 'history-metric' } }, ...historyKeys.map((k) => h('option', { attrs: { value: k } }, k)));
    historyKey.value = historyKeys.find((k) => k.startsWith('fold_')) ?? historyKeys[0] ?? '';
    const historyCanvas = h('canvas', { attrs: { role: 'img', 'aria-label': 'metric history' } });
    const history = new Chart(historyCanvas, {
      type: 'line',
      data: { datasets: [] },
      options: { animation: false, responsive: true, maintainAspectRatio: false, scales: { x: { type: 'linear', title: { display: true, text: 'step' } } } },
    });
    const drawHistory = () => {
      history.data.datasets = rows
        .filter((r) => r.run.metrics[historyKey.value])
        .map((r, i) => ({
          label: r.run.runName,
          data: r.run.metrics[historyKey.value].map((p) => ({ x: p.step, y: p.value })),
          borderColor: PALETTE[i % PALETTE.length],
          backgroundColor: PALETTE[i % PALETTE.length],
        }));
      history.update();
    };
    historyKey.addEventListener('change', drawHistory);
    drawHistory();
    this.charts = [scatter, history];

    replaceChildren(this.element,
      h('div', { className: 'run-header' }, h('h2', {}, `Comparing ${rows.length} runs`),
        h('button', { className: 'link', attrs: { type: 'button' }, on: { click: () => this.close() } }, 'Close')),
      h('div', { className: 'compare-charts' },
        h('figure', { className: 'chart' }, h('figcaption', {}, 'Parallel coordinates: params → ', pcMetric), pcBox),
        h('figure', { className: 'chart', attrs: { 'data-testid': 'compare-scatter' } }, h('figcaption', {}, xSelect, ' vs ', ySelect), h('div', { className: 'chart-box' }, scatterCanvas)),
        h('figure', { className: 'chart', attrs: { 'data-testid': 'compare-history' } }, h('figcaption', {}, 'History of ', historyKey), h('div', { className: 'chart-box' }, historyCanvas)),
      ),
      h('div', { className: 'compare-scroll' }, side),
    );
  }

  /** An SVG polyline per run across one vertical axis per param and one for the metric. */
  private parallel(rows: RunRow[], params: string[], metric: string): SVGSVGElement {
    const axes = [...params.map((k) => `params.${k}`), `metrics.${metric}`];
    const width = Math.max(360, axes.length * 140);
    const height = 240;
    const top = 24;
    const bottom = height - 28;
    const x = (i: number) => (axes.length === 1 ? width / 2 : 50 + (i * (width - 100)) / (axes.length - 1));
    const ranges = axes.map((axis) => {
      const values = rows.map((r) => valueOf(r, axis)).filter((v): v is number => v !== undefined);
      return { min: Math.min(...values), max: Math.max(...values) };
    });
    const y = (axis: number, value: number) => {
      const { min, max } = ranges[axis];
      return max === min ? (top + bottom) / 2 : bottom - ((value - min) / (max - min)) * (bottom - top);
    };
    const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': `parallel coordinates of params against ${metric}` });
    const metricRange = ranges[axes.length - 1];
    rows.forEach((row) => {
      const points = axes.map((axis, i) => {
        const v = valueOf(row, axis);
        return v === undefined ? undefined : `${x(i)},${y(i, v)}`;
      });
      if (points.some((p) => p === undefined)) return;
      const m = valueOf(row, axes[axes.length - 1]) ?? 0;
      const t = metricRange.max === metricRange.min ? 0 : (m - metricRange.min) / (metricRange.max - metricRange.min);
      root.append(svg('polyline', { points: points.join(' '), fill: 'none', stroke: `hsl(${Math.round(20 + 200 * t)}, 70%, 42%)`, 'stroke-width': 1.5, 'data-run-id': row.run.runId },
        svg('title', {}, `${row.run.runName}: ${metric} ${formatNumber(m)}`)));
    });
    axes.forEach((axis, i) => {
      const { min, max } = ranges[i];
      root.append(
        svg('line', { x1: x(i), x2: x(i), y1: top, y2: bottom, stroke: '#1f2328', 'stroke-width': 1 }),
        svg('text', { x: x(i), y: height - 8, 'text-anchor': 'middle', 'font-size': 11 }, axis.replace(/^(params|metrics)\./, '')),
        svg('text', { x: x(i) + 4, y: top - 6, 'font-size': 10, fill: '#656d76' }, Number.isFinite(max) ? formatNumber(max) : ''),
        svg('text', { x: x(i) + 4, y: bottom + 12, 'font-size': 10, fill: '#656d76' }, Number.isFinite(min) ? formatNumber(min) : ''),
      );
    });
    return root;
  }
}
