/** A realistic recorded training (parent + children, artifacts, a registered model) for the tracking unit tests. */
import { childRuns, finishedParent, startedRun } from '../../www/src/tracking/shared/autolog';
import type { Snapshot } from '../../www/src/tracking/shared/snapshot';
import type { TrainResult, TrainSpec } from '../../www/src/ml/shared/training';
import { DEFAULT_PARAMS } from '../../www/src/ml/shared/training';

export const spec: TrainSpec = {
  features: ['age', 'tenure_months', 'data_gb'],
  label: 'monthly_spend',
  handleInvalid: 'skip',
  scaler: null,
  params: { ...DEFAULT_PARAMS },
  grid: [{ param: 'regParam', values: [0, 0.1] }, { param: 'elasticNetParam', values: [0, 1] }],
  tuning: { kind: 'crossValidator', numFolds: 3 },
  metric: 'rmse',
  testFraction: 0,
  seed: 42,
};

const metrics = (rmse: number) => ({ rmse, mse: rmse * rmse, r2: 0.5, mae: rmse * 0.8, var: 10, rows: 100 });

export const result: TrainResult = {
  features: spec.features,
  label: spec.label,
  metric: 'rmse',
  grid: [
    { params: { regParam: 0, elasticNetParam: 0 }, avgMetric: 10.5, stdMetric: 0.25, foldMetrics: [10.2, 10.5, 10.8] },
    { params: { regParam: 0, elasticNetParam: 1 }, avgMetric: 10.5, stdMetric: 0.25, foldMetrics: [10.2, 10.5, 10.8] },
    { params: { regParam: 0.1, elasticNetParam: 0 }, avgMetric: 10.125, stdMetric: 0.1, foldMetrics: [10, 10.125, 10.25] },
    { params: { regParam: 0.1, elasticNetParam: 1 }, avgMetric: 11, stdMetric: 0.5, foldMetrics: [10.5, 11, 11.5] },
  ],
  bestIndex: 2,
  bestParams: { ...DEFAULT_PARAMS, regParam: 0.1 },
  model: { coefficients: [0.5, -0.25, 1.5], intercept: 3.25 },
  trainMetrics: metrics(9.75),
  validationMetrics: metrics(10.125),
  testMetrics: null,
  rows: { total: 120, skipped: 20, train: 100, test: 0 },
  diagnostics: { rows: 'train', actual: [], predicted: [], residuals: { start: 0, width: 1, counts: [], below: 0, above: 0 } },
  elapsedMs: 12.5,
};

/** An experiment "churn" (id 7) with one finished training and model "spend" v1 @champion. */
export function recordedSnapshot(): Snapshot {
  const input = {
    name: 'telecom', digest: 'ab'.repeat(32), context: 'training', source: 'telecom', sourceType: 'table' as const, rows: 120,
    schema: [{ name: 'age', type: 'int', nullable: true }, { name: 'monthly_spend', type: 'double', nullable: false }],
  };
  const started = startedRun({ table: 'telecom', spec }, '7', input, { team: 'churn', 'mlflow.note.content': 'first try\nwith "quotes"' }, 1_700_000_000_000);
  const parent = { ...finishedParent(started, result, spec, 1_700_000_001_000), artifacts: [{ path: 'best_parameters.json', size: 16, mimeType: 'application/json' }] };
  const children = childRuns(parent, result, 1_700_000_001_000);
  return {
    experiments: [{ experimentId: '7', name: 'churn', lifecycleStage: 'active', creationTime: 1_699_999_000_000, lastUpdateTime: 1_699_999_000_000, tags: {} }],
    runs: [parent, ...children],
    artifacts: [
      { runId: parent.runId, path: 'best_parameters.json', mimeType: 'application/json', bytes: new TextEncoder().encode('{"regParam":0.1}') },
      { runId: parent.runId, path: 'charts/grid.png', mimeType: 'image/png', bytes: new Uint8Array([137, 80, 78, 71, 0, 255]) },
    ],
    registeredModels: [{ name: 'spend', creationTimestamp: 1_700_000_002_000, lastUpdatedTimestamp: 1_700_000_002_000, description: 'monthly spend', tags: {}, aliases: { champion: 1 } }],
    modelVersions: [{ name: 'spend', version: 1, creationTimestamp: 1_700_000_002_000, lastUpdatedTimestamp: 1_700_000_002_000, description: 'baseline', runId: parent.runId, source: `runs:/${parent.runId}/model`, tags: { stage: 'prod' } }],
  };
}
