/**
 * What a training logs, the way MLflow autologging records Spark's CrossValidator (or
 * TrainValidationSplit), for every estimator: a parent run with the estimator's and the
 * tuner's params, `best_<param>` params, the best point's metrics and artifacts, and one
 * child run per grid point with its full params, `avg_<metric>`, `std_<metric>` and the
 * per-fold values as the history of `fold_<metric>` (step = fold). Pure functions: the
 * client stores what they return.
 */
import type { EstimatorName, MetricName, MetricSet, TrainResult, TrainSpec } from '../../ml/shared/training';
import { estimatorInfo, metricInfo } from '../../ml/shared/training';
import {
  type DatasetInput,
  type MetricPoint,
  type Run,
  TAG_AUTOLOGGING,
  TAG_PARENT_RUN_ID,
  TAG_RUN_NAME,
  TAG_SOURCE_NAME,
  TAG_SOURCE_TYPE,
  TAG_TABLE,
  newRunId,
  paramString,
} from './model';
import { type RecordedJob, sparkName, tunedEstimatorName, tuningName } from './recorded-job';

export type { RecordedJob } from './recorded-job';

/** Run names start with the estimator, short: `linreg-telecom-3f2a1c`. */
const RUN_PREFIX: Record<EstimatorName, string> = {
  linearRegression: 'linreg',
  logisticRegression: 'logreg',
  kMeans: 'kmeans',
  decisionTreeClassifier: 'dtc',
  decisionTreeRegressor: 'dtr',
  randomForestClassifier: 'rfc',
  randomForestRegressor: 'rfr',
  gbtClassifier: 'gbtc',
  gbtRegressor: 'gbtr',
};

/** Spark's evaluator class for a metric (`RegressionEvaluator`, `ClusteringEvaluator`, ...). */
export function evaluatorName(metric: MetricName): string {
  return metricInfo(metric).evaluator;
}

/**
 * The evaluator a spec names before the engine has run: its metric's, or the task's when
 * only one evaluator serves it. A classifier without a metric gets Spark's default, which
 * depends on the number of classes: known once the training ends.
 */
function knownEvaluator(spec: TrainSpec): string | undefined {
  if (spec.metric) return evaluatorName(spec.metric);
  const task = estimatorInfo(spec.estimator).task;
  if (task === 'regression') return 'RegressionEvaluator';
  if (task === 'clustering') return 'ClusteringEvaluator';
  return undefined;
}

/**
 * The tuner's and the job's params. The estimator's own params are logged next to these
 * by their Spark names; one that has the name of one of these (KMeans' `seed`) is logged
 * as `<Estimator>.<param>`, as MLflow names a nested estimator's params.
 */
function tunerParams(spec: TrainSpec): Record<string, string> {
  const params: Record<string, string> = {
    estimator: tunedEstimatorName(spec),
    tuning: tuningName(spec),
    featuresCol: JSON.stringify(spec.features),
    handleInvalid: spec.handleInvalid,
    seed: paramString(spec.seed),
    testFraction: paramString(spec.testFraction),
    estimatorParamMaps: JSON.stringify(spec.grid.map((axis) => ({ [axis.param]: axis.values }))),
  };
  const evaluator = knownEvaluator(spec);
  if (evaluator) params.evaluator = evaluator;
  if (spec.metric) params.metricName = spec.metric;
  if (spec.label) params.labelCol = spec.label;
  if (spec.labelIndexer) params.stringOrderType = spec.labelIndexer.stringOrderType;
  if (spec.weightCol) params.weightCol = spec.weightCol;
  if (spec.validationIndicatorCol) params.validationIndicatorCol = spec.validationIndicatorCol;
  if (spec.tuning.kind === 'crossValidator') params.numFolds = paramString(spec.tuning.numFolds);
  else params.trainRatio = paramString(spec.tuning.trainRatio);
  if (spec.scaler) {
    params.withMean = paramString(spec.scaler.withMean);
    params.withStd = paramString(spec.scaler.withStd);
  }
  if (spec.pipeline?.steps.length) params.pipelineSteps = spec.pipeline.steps.map((s) => s.op).join(',');
  return params;
}

/** The logged name of one of the estimator's params (see `tunerParams`). */
export function estimatorParamKey(spec: TrainSpec, param: string): string {
  return param in tunerParams(spec) ? `${sparkName(spec.estimator)}.${param}` : param;
}

/** The params a parent run starts with: the tuner's, the job's and the estimator's. */
export function jobParams(job: RecordedJob): Record<string, string> {
  const { spec } = job;
  const params = tunerParams(spec);
  for (const [key, value] of Object.entries(spec.params)) {
    if (value !== undefined && value !== null) params[estimatorParamKey(spec, key)] = paramString(value);
  }
  return params;
}

export function runName(job: RecordedJob, runId: string): string {
  return `${RUN_PREFIX[job.spec.estimator]}-${job.table}-${runId.slice(0, 6)}`;
}

/** The parent run as it is stored before the engine starts: RUNNING, with the source table as its input. */
export function startedRun(job: RecordedJob, experimentId: string, input: DatasetInput, extraTags: Record<string, string>, now = Date.now()): Run {
  const runId = newRunId();
  const name = runName(job, runId);
  return {
    runId,
    experimentId,
    runName: name,
    status: 'RUNNING',
    startTime: now,
    endTime: null,
    lifecycleStage: 'active',
    params: jobParams(job),
    metrics: {},
    tags: {
      [TAG_RUN_NAME]: name,
      [TAG_SOURCE_TYPE]: 'LOCAL',
      [TAG_SOURCE_NAME]: 'brasa',
      [TAG_AUTOLOGGING]: 'pyspark.ml',
      [TAG_TABLE]: job.table,
      ...extraTags,
    },
    inputs: [input],
    artifacts: [],
  };
}

const point = (value: number, timestamp: number): MetricPoint[] => [{ value, timestamp, step: 0 }];

/** Every finite metric of a set, named `<prefix><metric>`. */
function metricSet(prefix: string, metrics: MetricSet | null, at: number): Record<string, MetricPoint[]> {
  const out: Record<string, MetricPoint[]> = {};
  for (const [key, value] of Object.entries(metrics?.values ?? {})) {
    if (Number.isFinite(value)) out[`${prefix}${key}`] = point(value, at);
  }
  return out;
}

/** The grid's parameters, in the order they were added (ParamGridBuilder). */
export function gridAxes(spec: TrainSpec): string[] {
  return spec.grid.map((axis) => axis.param);
}

/** The best point's value of one of the estimator's params. */
function bestValue(result: TrainResult, param: string): unknown {
  return (result.bestParams.params as Record<string, unknown>)[param];
}

/**
 * The parent run after a finished training: `best_<param>` params, the evaluator and
 * metric the engine chose when the spec left them to Spark's default, the best point's
 * validation metrics (the task's whole family, averaged over folds), `avg_`/`std_` of
 * the tuning metric, `training_*` (the refitted model on all training rows) and `test_*`
 * metrics.
 */
export function finishedParent(run: Run, result: TrainResult, spec: TrainSpec, now = Date.now()): Run {
  const best = result.grid[result.bestIndex];
  const params = { ...run.params };
  params.evaluator ??= evaluatorName(result.metric);
  params.metricName ??= result.metric;
  for (const axis of gridAxes(spec)) params[`best_${axis}`] = paramString(bestValue(result, axis));
  const metrics: Record<string, MetricPoint[]> = {
    ...run.metrics,
    ...metricSet('', result.validationMetrics, now),
    ...metricSet('training_', result.trainMetrics, now),
    ...metricSet('test_', result.testMetrics, now),
    [`avg_${result.metric}`]: point(best.avgMetric, now),
    [`std_${result.metric}`]: point(best.stdMetric, now),
    training_rows: point(result.rows.train, now),
    training_time_ms: point(result.elapsedMs, now),
  };
  return { ...run, status: 'FINISHED', endTime: now, params, metrics };
}

/** One child run per grid point, as MLflow's autologging nests them under the parent. */
export function childRuns(parent: Run, result: TrainResult, spec: TrainSpec, now = Date.now()): Run[] {
  return result.grid.map((gridPoint, i) => {
    const runId = newRunId();
    const name = `${parent.runName}-${i + 1}`;
    const params: Record<string, string> = {};
    const full = { ...spec.params, ...gridPoint.params } as Record<string, unknown>;
    for (const [key, value] of Object.entries(full)) {
      if (value !== undefined && value !== null) params[key] = paramString(value);
    }
    return {
      runId,
      experimentId: parent.experimentId,
      runName: name,
      status: 'FINISHED',
      startTime: parent.startTime,
      endTime: now,
      lifecycleStage: 'active',
      params,
      metrics: {
        [`avg_${result.metric}`]: point(gridPoint.avgMetric, now),
        [`std_${result.metric}`]: point(gridPoint.stdMetric, now),
        [`fold_${result.metric}`]: gridPoint.foldMetrics.map((value, fold) => ({ value, timestamp: now, step: fold })),
      },
      tags: { [TAG_RUN_NAME]: name, [TAG_PARENT_RUN_ID]: parent.runId, [TAG_SOURCE_TYPE]: 'LOCAL', [TAG_SOURCE_NAME]: 'brasa' },
      inputs: [],
      artifacts: [],
    };
  });
}

/** `best_parameters.json`: the winning grid point's values of the tuned params. */
export function bestParameters(result: TrainResult, spec: TrainSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const axis of gridAxes(spec)) out[axis] = bestValue(result, axis);
  return out;
}

/** A CSV field: quoted when it holds a comma, a quote or a line break (RFC 4180). */
function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A tuned value as text: strings as they are, anything else as JSON. */
function valueText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** `search_results.csv`: one row per grid point, its params, mean, std and fold values. */
export function searchResultsCsv(result: TrainResult, spec: TrainSpec): string {
  const axes = gridAxes(spec);
  const folds = Math.max(0, ...result.grid.map((p) => p.foldMetrics.length));
  const header = [
    ...axes.map((a) => `params.${a}`),
    `avg_${result.metric}`,
    `std_${result.metric}`,
    ...Array.from({ length: folds }, (_, k) => `fold_${k}_${result.metric}`),
    'is_best',
  ];
  const rows = result.grid.map((gridPoint, i) => [
    ...axes.map((a) => valueText(gridPoint.params[a])),
    String(gridPoint.avgMetric),
    String(gridPoint.stdMetric),
    ...Array.from({ length: folds }, (_, k) => (gridPoint.foldMetrics[k] === undefined ? '' : String(gridPoint.foldMetrics[k]))),
    i === result.bestIndex ? 'true' : 'false',
  ]);
  return [header, ...rows].map((r) => r.map(csvField).join(',')).join('\n') + '\n';
}
