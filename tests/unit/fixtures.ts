/**
 * Realistic recorded trainings for the tracking unit tests, one per estimator (runs,
 * children, artifacts, registered models), and what Brasa recorded before it had more
 * than one estimator (a LinearRegression `job.json` and `model/model.json`).
 */
import { KMEANS_DEFAULTS, LINEAR_REGRESSION_DEFAULTS, LOGISTIC_REGRESSION_DEFAULTS, PIPELINE_VERSION } from '../../www/src/contract';
import { childRuns, finishedParent, startedRun } from '../../www/src/tracking/shared/autolog';
import { trainingInput } from '../../www/src/tracking/shared/datasets';
import { loggedModel } from '../../www/src/tracking/shared/logged-model';
import type { DatasetInput, Run } from '../../www/src/tracking/shared/model';
import type { Snapshot, SnapshotArtifact } from '../../www/src/tracking/shared/snapshot';
import type { TrainResult, TrainSpec } from '../../www/src/ml/shared/training';

const encode = (value: unknown) => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value, null, 2));

// ---- LinearRegression on telecom (CrossValidator, 2 × 2 grid) ----------------------

export const spec: TrainSpec = {
  estimator: 'linearRegression',
  params: { ...LINEAR_REGRESSION_DEFAULTS },
  features: ['age', 'tenure_months', 'data_gb'],
  label: 'monthly_spend',
  handleInvalid: 'skip',
  scaler: null,
  grid: [{ param: 'regParam', values: [0, 0.1] }, { param: 'elasticNetParam', values: [0, 1] }],
  tuning: { kind: 'crossValidator', numFolds: 3 },
  metric: 'rmse',
  testFraction: 0,
  seed: 42,
};

const regression = (rmse: number, rows = 100) => ({ rows, values: { rmse, mse: rmse * rmse, r2: 0.5, mae: rmse * 0.8, var: 10 } });

export const result: TrainResult = {
  task: 'regression',
  features: spec.features,
  label: spec.label,
  labels: [],
  metric: 'rmse',
  largerIsBetter: false,
  grid: [
    { params: { regParam: 0, elasticNetParam: 0 }, avgMetric: 10.5, stdMetric: 0.25, foldMetrics: [10.2, 10.5, 10.8] },
    { params: { regParam: 0, elasticNetParam: 1 }, avgMetric: 10.5, stdMetric: 0.25, foldMetrics: [10.2, 10.5, 10.8] },
    { params: { regParam: 0.1, elasticNetParam: 0 }, avgMetric: 10.125, stdMetric: 0.1, foldMetrics: [10, 10.125, 10.25] },
    { params: { regParam: 0.1, elasticNetParam: 1 }, avgMetric: 11, stdMetric: 0.5, foldMetrics: [10.5, 11, 11.5] },
  ],
  bestIndex: 2,
  bestParams: { estimator: 'linearRegression', params: { ...LINEAR_REGRESSION_DEFAULTS, regParam: 0.1 } },
  model: { kind: 'linearRegression', model: { coefficients: [0.5, -0.25, 1.5], intercept: 3.25 } },
  trainMetrics: regression(9.75),
  validationMetrics: regression(10.125),
  testMetrics: null,
  rows: { total: 120, skipped: 20, train: 100, test: 0 },
  diagnostics: { kind: 'regression', rows: 'train', actual: [], predicted: [], residuals: { start: 0, width: 1, counts: [], below: 0, above: 0 } },
  elapsedMs: 12.5,
};

// ---- LogisticRegression: churn, a string label indexed, weights (CrossValidator) ----

/** Rows the churn classifier is trained on; `churnCsv` writes them, `pyspark.test.ts` runs the job on them. */
export const logisticSpec: TrainSpec = {
  estimator: 'logisticRegression',
  params: { ...LOGISTIC_REGRESSION_DEFAULTS, elasticNetParam: 1 },
  features: ['tenure_months', 'support_tickets', 'monthly_spend'],
  label: 'churned',
  labelIndexer: { stringOrderType: 'frequencyDesc' },
  weightCol: 'weight',
  handleInvalid: 'skip',
  scaler: null,
  // λ = 1 with the lasso penalty zeroes every coefficient (every row scores the same:
  // areaUnderROC 0.5), so λ = 0 wins clearly, in Brasa and in Spark.
  grid: [{ param: 'regParam', values: [0, 1] }],
  tuning: { kind: 'crossValidator', numFolds: 3 },
  metric: 'areaUnderROC',
  testFraction: 0.2,
  seed: 42,
  pipeline: { version: PIPELINE_VERSION, steps: [{ op: 'filter', condition: 'tenure_months >= 0' }] },
};

const classification = (auc: number, rows: number) => ({
  rows,
  values: {
    areaUnderROC: auc, areaUnderPR: auc - 0.1, f1: 0.8, accuracy: 0.82, weightedPrecision: 0.81, weightedRecall: 0.82,
    weightedFMeasure: 0.8, logLoss: 0.41, hammingLoss: 0.18,
  },
});

export const logisticResult: TrainResult = {
  task: 'classification',
  features: logisticSpec.features,
  label: 'churned',
  labels: ['no', 'yes'],
  metric: 'areaUnderROC',
  largerIsBetter: true,
  grid: [
    { params: { regParam: 0 }, avgMetric: 0.9, stdMetric: 0.02, foldMetrics: [0.88, 0.9, 0.92] },
    { params: { regParam: 1 }, avgMetric: 0.5, stdMetric: 0, foldMetrics: [0.5, 0.5, 0.5] },
  ],
  bestIndex: 0,
  bestParams: { estimator: 'logisticRegression', params: { ...LOGISTIC_REGRESSION_DEFAULTS, elasticNetParam: 1, regParam: 0 } },
  model: {
    kind: 'logisticRegression',
    model: {
      numClasses: 2, numFeatures: 3, isMultinomial: false, coefficientMatrix: [[-0.05, 0.8, 0.01]], interceptVector: [-1.2],
      threshold: 0.5, numIterations: 14, converged: true,
    },
  },
  trainMetrics: classification(0.91, 160),
  validationMetrics: classification(0.9, 53),
  testMetrics: classification(0.89, 40),
  rows: { total: 200, skipped: 0, train: 160, test: 40 },
  diagnostics: { kind: 'classification', rows: 'test', confusion: [[25, 3], [4, 8]] },
  pipeline: { version: PIPELINE_VERSION, steps: [{ op: 'filter', condition: 'tenure_months >= 0' }] },
  elapsedMs: 40,
};

// ---- KMeans: segments of points, scaled (TrainValidationSplit) ----------------------

export const kmeansSpec: TrainSpec = {
  estimator: 'kMeans',
  params: { ...KMEANS_DEFAULTS },
  features: ['x', 'y'],
  handleInvalid: 'error',
  scaler: { withMean: false, withStd: true },
  // Three tight, far-apart blobs: k = 3 has the best silhouette, in Brasa and in Spark.
  grid: [{ param: 'k', values: [2, 3, 5] }],
  tuning: { kind: 'trainValidationSplit', trainRatio: 0.75 },
  metric: 'silhouette',
  testFraction: 0.2,
  seed: 7,
};

export const kmeansResult: TrainResult = {
  task: 'clustering',
  features: kmeansSpec.features,
  labels: [],
  metric: 'silhouette',
  largerIsBetter: true,
  grid: [
    { params: { k: 2 }, avgMetric: 0.61, stdMetric: 0, foldMetrics: [0.61] },
    { params: { k: 3 }, avgMetric: 0.93, stdMetric: 0, foldMetrics: [0.93] },
    { params: { k: 5 }, avgMetric: 0.52, stdMetric: 0, foldMetrics: [0.52] },
  ],
  bestIndex: 1,
  bestParams: { estimator: 'kMeans', params: { ...KMEANS_DEFAULTS, k: 3 } },
  model: {
    kind: 'kMeans',
    scaler: { withMean: false, withStd: true, mean: [3.3, 3.3], std: [4.7, 4.7] },
    model: {
      clusterCenters: [[0, 0], [2.1, 0], [0, 2.1]], distanceMeasure: 'euclidean', trainingCost: 4.2, numIter: 3,
      clusterSizes: [40, 40, 40], clusterWeights: [40, 40, 40],
    },
  },
  trainMetrics: { rows: 120, values: { silhouette: 0.92 } },
  validationMetrics: { rows: 30, values: { silhouette: 0.93 } },
  testMetrics: { rows: 30, values: { silhouette: 0.94 } },
  rows: { total: 150, skipped: 0, train: 120, test: 30 },
  diagnostics: { kind: 'clustering', rows: 'test', clusters: [], sampleFeatures: [], sampleClusters: [] },
  elapsedMs: 25,
};

// ---- What Brasa recorded before estimators --------------------------------------------

/** A `job.json` of LinearRegression-only Brasa: no `estimator`, LinearRegression's params at `params`. */
export const legacyJob = {
  table: 'telecom',
  spec: {
    features: ['age', 'income'],
    label: 'monthly_spend',
    handleInvalid: 'skip',
    scaler: { withMean: true, withStd: true },
    params: { regParam: 0.1, elasticNetParam: 0, fitIntercept: true, standardization: true, maxIter: 100, tol: 1e-6 },
    grid: [{ param: 'regParam', values: [0, 0.1] }],
    tuning: { kind: 'crossValidator', numFolds: 3 },
    metric: 'rmse',
    testFraction: 0,
    seed: 42,
  },
};

/** A `model/model.json` of LinearRegression-only Brasa (flavor `brasa.linear_regression`). */
export const legacyModel = {
  flavor: 'brasa.linear_regression',
  features: ['age', 'income'],
  label: 'monthly_spend',
  inputSchema: [{ name: 'age', type: 'int' }, { name: 'income', type: 'double' }],
  handleInvalid: 'skip',
  model: { scaler: { withMean: true, withStd: true, mean: [40, 50000], std: [12, 20000] }, coefficients: [0.25, 0.001], intercept: 7.5 },
  bestParams: { regParam: 0.1, elasticNetParam: 0, fitIntercept: true, standardization: true, maxIter: 100, tol: 1e-6 },
};

// ---- Snapshots ------------------------------------------------------------------------

/** The source table's input, as recorded once its digest is known. */
function sourceOf(table: string, rows: number, schema: DatasetInput['schema'], digest: string): DatasetInput {
  return { name: table, digest, context: 'source', source: table, sourceType: 'table', rows, schema };
}

/** A finished training as the recorder stores it: parent (inputs, artifacts) and children. */
function recordedTraining(
  table: string, trainSpec: TrainSpec, trainResult: TrainResult, experimentId: string, at: number,
  source: DatasetInput, tags: Record<string, string> = {},
): { parent: Run; children: Run[]; artifacts: SnapshotArtifact[] } {
  const started = startedRun({ table, spec: trainSpec }, experimentId, { ...source, digest: '' }, tags, at);
  const training = trainingInput(trainSpec, table, { rows: trainResult.rows.total, schema: source.schema, digest: 'cd'.repeat(32), cleaned: !!trainSpec.pipeline }, trainResult.rows);
  const model = loggedModel(trainResult, trainSpec, source.schema.map(({ name, type }) => ({ name, type })));
  const files: [string, string, Uint8Array][] = [
    ['job.json', 'application/json', encode({ table, spec: trainSpec })],
    ['model/model.json', 'application/json', encode(model)],
  ];
  const parent: Run = {
    ...finishedParent(started, trainResult, trainSpec, at + 1000),
    inputs: [source, training],
    artifacts: files.map(([path, mimeType, bytes]) => ({ path, size: bytes.length, mimeType })),
  };
  return {
    parent,
    children: childRuns(parent, trainResult, trainSpec, at + 1000),
    artifacts: files.map(([path, mimeType, bytes]) => ({ runId: parent.runId, path, mimeType, bytes })),
  };
}

/** An experiment "churn" (id 7) with one finished LinearRegression training and model "spend" v1 @champion. */
export function recordedSnapshot(): Snapshot {
  const input = {
    name: 'telecom', digest: 'ab'.repeat(32), context: 'training', source: 'telecom', sourceType: 'table' as const, rows: 120,
    schema: [{ name: 'age', type: 'int', nullable: true }, { name: 'monthly_spend', type: 'double', nullable: false }],
  };
  const started = startedRun({ table: 'telecom', spec }, '7', input, { team: 'churn', 'mlflow.note.content': 'first try\nwith "quotes"' }, 1_700_000_000_000);
  const parent = { ...finishedParent(started, result, spec, 1_700_000_001_000), artifacts: [{ path: 'best_parameters.json', size: 16, mimeType: 'application/json' }] };
  const children = childRuns(parent, result, spec, 1_700_000_001_000);
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

/**
 * Three experiments, one per estimator: "churn" (7, the LinearRegression training of
 * `recordedSnapshot`, whose model.json is the legacy one it was recorded with), "churn
 * classifier" (8, LogisticRegression, model "churn" v1 @champion) and "segments" (9,
 * KMeans, model "segments" v1 @challenger).
 */
export function allEstimatorsSnapshot(): Snapshot {
  const base = recordedSnapshot();
  const linearParent = base.runs[0];
  base.artifacts.push({ runId: linearParent.runId, path: 'model/model.json', mimeType: 'application/json', bytes: encode(legacyModel) });
  linearParent.artifacts.push({ path: 'model/model.json', size: encode(legacyModel).length, mimeType: 'application/json' });
  const churnSchema = [
    ...logisticSpec.features.map((name) => ({ name, type: 'double', nullable: true })),
    { name: 'churned', type: 'string', nullable: true }, { name: 'weight', type: 'double', nullable: false },
  ];
  const logistic = recordedTraining('churn', logisticSpec, logisticResult, '8', 1_700_000_100_000, {
    ...sourceOf('churn', 200, churnSchema, 'ef'.repeat(32)),
    // Read from a compressed JSON lines file, as the page records it (MLflow keeps it in the source).
    file: 'churn.json.gz', format: 'json', compression: 'gzip', readerOptions: { mode: 'PERMISSIVE', columnNameOfCorruptRecord: '_corrupt_record' },
  });
  const pointsSchema = [{ name: 'x', type: 'double', nullable: false }, { name: 'y', type: 'double', nullable: false }];
  const kmeans = recordedTraining('points', kmeansSpec, kmeansResult, '9', 1_700_000_200_000, sourceOf('points', 150, pointsSchema, '12'.repeat(32)));
  const experiment = (experimentId: string, name: string) => ({ experimentId, name, lifecycleStage: 'active' as const, creationTime: 1_699_999_500_000, lastUpdateTime: 1_699_999_500_000, tags: {} });
  const registered = (name: string, alias: string) => ({ name, creationTimestamp: 1_700_000_300_000, lastUpdatedTimestamp: 1_700_000_300_000, description: '', tags: {}, aliases: { [alias]: 1 } });
  const version = (name: string, runId: string) => ({ name, version: 1, creationTimestamp: 1_700_000_300_000, lastUpdatedTimestamp: 1_700_000_300_000, description: '', runId, source: `runs:/${runId}/model`, tags: {} });
  return {
    experiments: [...base.experiments, experiment('8', 'churn classifier'), experiment('9', 'segments')],
    runs: [...base.runs, logistic.parent, ...logistic.children, kmeans.parent, ...kmeans.children],
    artifacts: [...base.artifacts, ...logistic.artifacts, ...kmeans.artifacts],
    registeredModels: [...base.registeredModels, registered('churn', 'champion'), registered('segments', 'challenger')],
    modelVersions: [...base.modelVersions, version('churn', logistic.parent.runId), version('segments', kmeans.parent.runId)],
  };
}

// ---- Data the exported PySpark jobs run on --------------------------------------------

/** A deterministic pseudo-random stream (a linear congruential generator), in [0, 1). */
function stream(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * 200 customers for `logisticSpec`: churn (`yes`/`no`, mostly `no`) grows with support
 * tickets; tenure and spend are noise; weights 1 or 2.
 */
export function churnCsv(): string {
  const next = stream(11);
  const rows = ['tenure_months,support_tickets,monthly_spend,churned,weight'];
  for (let i = 0; i < 200; i++) {
    const tickets = Math.floor(next() * 8);
    const churned = tickets + 3 * (next() - 0.5) > 5 ? 'yes' : 'no';
    rows.push([Math.floor(next() * 120), tickets, (20 + next() * 80).toFixed(2), churned, 1 + Math.floor(next() * 2)].join(','));
  }
  return rows.join('\n') + '\n';
}

/** 150 points for `kmeansSpec`: three tight blobs at (0, 0), (10, 0) and (0, 10). */
export function pointsCsv(): string {
  const next = stream(5);
  const centres = [[0, 0], [10, 0], [0, 10]];
  const rows = ['x,y'];
  for (let i = 0; i < 150; i++) {
    const [cx, cy] = centres[i % 3];
    rows.push(`${(cx + (next() - 0.5)).toFixed(4)},${(cy + (next() - 0.5)).toFixed(4)}`);
  }
  return rows.join('\n') + '\n';
}
