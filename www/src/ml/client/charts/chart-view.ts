/**
 * What every Train tab chart shares: Chart.js on a titled canvas, its colours, and an
 * explicit legend. Everything drawn comes from the engine's `TrainResult`; labels are
 * drawn on canvas, never parsed as HTML.
 *
 * The legend is set on every chart because Chart.js plugins are global: once another
 * tab registers `Legend`, a chart that says nothing shows one with a box per dataset,
 * labelled "undefined" when the dataset has no label. So every dataset is labelled, and
 * each chart says whether its legend shows.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartConfiguration,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  type Plugin,
  PointElement,
  ScatterController,
  Tooltip,
} from 'chart.js';
import { h } from '../../../ui/dom';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, ScatterController, Tooltip, Legend);

export const ACCENT = '#c2410c';
export const MUTED = '#9ca3af';
export const INK = '#1f2328';

/** Distinct colours for classes and clusters (Tableau 10), reused in turn past ten. */
const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

export function paletteColour(i: number, alpha = 1): string {
  const hex = PALETTE[i % PALETTE.length];
  const [r, g, b] = [1, 3, 5].map((at) => parseInt(hex.slice(at, at + 2), 16));
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}

/** A titled canvas holding one chart; `destroy` frees it when the results are replaced. */
export interface ChartView {
  element: HTMLElement;
  chart: Chart;
}

/**
 * A chart in a `figure` with `data-testid` `testId` (its file name when recorded is the
 * test id without `chart-`). `legend`: whether the legend shows.
 */
export function chartView(testId: string, title: string, legend: boolean, config: ChartConfiguration): ChartView {
  const canvas = h('canvas', { attrs: { role: 'img', 'aria-label': title } });
  const element = h('figure', { className: 'chart', attrs: { 'data-testid': testId } }, h('figcaption', {}, title), h('div', { className: 'chart-box' }, canvas));
  const options = config.options ?? {};
  const chart = new Chart(canvas, {
    ...config,
    plugins: [legendText(element)],
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      ...options,
      plugins: {
        ...options.plugins,
        legend: { display: legend, position: 'bottom', labels: { boxWidth: 12, font: { size: 11 } }, ...options.plugins?.legend },
      },
    },
  } as ChartConfiguration);
  return { element, chart };
}

/**
 * Writes the legend's entries, as drawn, in the figure's `data-legend` (` | `-separated;
 * empty when the legend is off): a canvas legend is not text a screen reader, a search
 * or a test can read.
 */
function legendText(figure: HTMLElement): Plugin {
  return {
    id: 'brasaLegendText',
    afterRender(chart) {
      const shown = chart.options.plugins?.legend?.display ? (chart.legend?.legendItems ?? []) : [];
      figure.dataset.legend = shown.map((item) => item.text).join(' | ');
    },
  };
}

/** A chart's file name when recorded: its test id without the `chart-` prefix (`grid`, `roc`, ...). */
export function chartName(view: ChartView): string {
  return (view.element.dataset.testid ?? 'chart').replace(/^chart-/, '');
}

/** Changes a figure's caption (a chart redrawn for other settings says what it shows now). */
export function setCaption(view: ChartView, title: string): void {
  const caption = view.element.querySelector('figcaption');
  if (caption) caption.textContent = title;
  view.chart.canvas.setAttribute('aria-label', title);
}
