/**
 * KMeans' scatter: a sample of rows drawn on two chosen features, coloured by cluster,
 * with the centres. `show` redraws it on two other features (the same canvas, so the
 * chart a run recorded is the one on screen when training finished).
 */
import { type ChartView, INK, chartView, paletteColour, setCaption } from './chart-view';

export interface ClusterChart extends ChartView {
  /** Draws features `x` and `y` (indices into the features). */
  show(x: number, y: number): void;
}

export interface ClusterSample {
  features: string[];
  /** The sampled rows' features (unscaled) and clusters. */
  rows: number[][];
  clusters: number[];
  /** One centre per cluster in the features' own units, or none when they cannot be drawn there. */
  centres?: number[][];
  /** Which rows were sampled (`test` or `train`). */
  rowsName: string;
}

export function clusterChart(sample: ClusterSample, x: number, y: number): ClusterChart {
  const clusterCount = Math.max(sample.centres?.length ?? 0, ...sample.clusters.map((c) => c + 1));
  const title = (x: number, y: number) => `${sample.features[y]} against ${sample.features[x]} by cluster (${sample.rowsName} rows, sample of ${sample.rows.length})`;
  const datasets = (x: number, y: number) => [
    ...Array.from({ length: clusterCount }, (_, c) => ({
      label: `cluster ${c}`,
      data: sample.rows.flatMap((row, i) => (sample.clusters[i] === c ? [{ x: row[x], y: row[y] }] : [])),
      pointRadius: 2,
      backgroundColor: paletteColour(c, 0.55),
      borderColor: paletteColour(c, 0.55),
    })),
    ...(sample.centres
      ? [{ label: 'centres', data: sample.centres.map((c) => ({ x: c[x], y: c[y] })), pointRadius: 8, pointStyle: 'crossRot' as const, borderColor: INK, borderWidth: 2, backgroundColor: INK }]
      : []),
  ];
  const view = chartView('chart-clusters', title(x, y), true, {
    type: 'scatter',
    data: { datasets: datasets(x, y) },
    options: {
      scales: { x: { title: { display: true, text: sample.features[x] } }, y: { title: { display: true, text: sample.features[y] } } },
    },
  });
  return {
    ...view,
    show(x, y) {
      view.chart.data.datasets = datasets(x, y);
      const scales = view.chart.options.scales as { x: { title: { text: string } }; y: { title: { text: string } } };
      scales.x.title.text = sample.features[x];
      scales.y.title.text = sample.features[y];
      setCaption(view, title(x, y));
      view.chart.update('none');
    },
  };
}
