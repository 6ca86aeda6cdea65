/**
 * KMeans' results: a table of clusters (training rows, mean silhouette, centre) and a
 * scatter of a sample of rows on two chosen features, coloured by cluster.
 */
import type { StandardScalerModel } from '../../../contract';
import { h } from '../../../ui/dom';
import { select } from '../../../ui/form';
import type { Diagnostics, TrainedModel, TrainResult } from '../../shared/training';
import { clusterChart } from '../charts/cluster-chart';
import { fmt, resultTable, valueCell } from './cells';
import type { TaskView } from './task-view';

type KMeansModel = Extract<TrainedModel, { kind: 'kMeans' }>;
type ClusteringDiagnostics = Extract<Diagnostics, { kind: 'clustering' }>;

export function clusteringView(result: TrainResult, model: KMeansModel, diagnostics: ClusteringDiagnostics): TaskView {
  const { clusterCenters, clusterSizes, clusterWeights, trainingCost, numIter } = model.model;
  const weighted = clusterWeights.some((w, c) => w !== clusterSizes[c]);
  const silhouette = new Map(diagnostics.clusters.map((c) => [c.cluster, c.silhouette]));
  const centreHeader = (f: string) => (model.scaler ? `${f} (scaled)` : f);
  const clusters = resultTable('train-clusters',
    ['cluster', 'training rows', ...(weighted ? ['weight'] : []), `silhouette (${diagnostics.rows} rows)`, ...result.features.map(centreHeader)],
    clusterCenters.map((centre, c) => h('tr', { attrs: { 'data-cluster': String(c) } },
      h('td', {}, String(c)),
      h('td', { attrs: { 'data-value': String(clusterSizes[c]) } }, String(clusterSizes[c])),
      ...(weighted ? [valueCell(clusterWeights[c])] : []),
      silhouette.has(c) ? valueCell(silhouette.get(c) ?? NaN) : h('td', {}, '—'),
      ...centre.map((x) => valueCell(x)))));

  const options = result.features.map((f, j): [string, string] => [String(j), f]);
  const xSelect = select('train-cluster-x', options);
  const ySelect = select('train-cluster-y', options);
  xSelect.value = '0';
  ySelect.value = String(Math.min(1, result.features.length - 1));
  const chart = clusterChart({
    features: result.features,
    rows: diagnostics.sampleFeatures,
    clusters: diagnostics.sampleClusters,
    centres: model.scaler ? unscaled(clusterCenters, model.scaler) : clusterCenters,
    rowsName: diagnostics.rows,
  }, Number(xSelect.value), Number(ySelect.value));
  const redraw = () => chart.show(Number(xSelect.value), Number(ySelect.value));
  xSelect.addEventListener('change', redraw);
  ySelect.addEventListener('change', redraw);

  return {
    element: h('div', { className: 'train-task' },
      h('div', { className: 'train-charts' },
        h('div', {}, h('div', { className: 'chart-axes' }, h('label', {}, 'x ', xSelect), h('label', {}, 'y ', ySelect)), chart.element)),
      h('div', {}, h('h3', {}, 'Clusters'), clusters,
        h('p', { className: 'hint', attrs: { 'data-testid': 'train-kmeans-summary' } },
          `${clusterCenters.length} clusters · trainingCost ${fmt(trainingCost)} · ${numIter} iterations` +
            (model.scaler ? ' · centres in the scaled features (as Spark reports them); the chart draws them in the features\' units' : '')))),
    charts: [chart],
  };
}

/**
 * Centres back in the features' units, inverting StandardScaler's `(x − shift) · factor`.
 * A constant feature (std 0) was scaled to 0; its centre is its mean.
 */
function unscaled(centres: number[][], scaler: StandardScalerModel): number[][] {
  return centres.map((centre) => centre.map((value, j) => {
    const shift = scaler.withMean ? scaler.mean[j] : 0;
    if (!scaler.withStd) return value + shift;
    return scaler.std[j] === 0 ? scaler.mean[j] : value * scaler.std[j] + shift;
  }));
}
