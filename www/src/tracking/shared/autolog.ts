/**
 * What a training logs, the way MLflow autologging records Spark's CrossValidator: a
 * parent run with the estimator's params, `best_<param>` params, the best point's metrics
 * and artifacts, and one child run per grid point with `avg_<metric>`, `std_<metric>` and
 * the per-fold values as the history of `fold_<metric>` (step = fold). Pure functions:
 * the client stores what they return.
 */
import { DEFAULT_PARAMS, type LinearRegressionParams, type Metrics, type TrainResult, type TrainSpec, type TunedParam } from '../../ml/shared/training';
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

/** The job a training ran: what "Re-run" replays and the PySpark export writes out. */
export interface RecordedJob {
  table: string;
  spec: TrainSpec;
}

export function tuningName(spec: TrainSpec): string {
  return spec.tuning.kind === 'crossValidator' ? 'CrossValidator' : 'TrainValidationSplit';
}

/** The params a parent run starts with: the estimator's, the tuning's and the features'. */
export function jobParams(job: RecordedJob): Record<string, string> {
  const { spec } = job;
  const params: Record<string, string> = {
    estimator: spec.scaler ? 'Pipeline(StandardScaler, LinearRegression)' : 'LinearRegression',
    tuning: tuningName(spec),
    evaluator: 'RegressionEvaluator',
    metricName: spec.metric,
    labelCol: spec.label,
    featuresCol: JSON.stringify(spec.features),
    handleInvalid: spec.handleInvalid,
    seed: paramString(spec.seed),
    testFraction: paramString(spec.testFraction),
    estimatorParamMaps: JSON.stringify(spec.grid.map((axis) => ({ [axis.param]: axis.values }))),
  };
  if (spec.tuning.kind === 'crossValidator') params.numFolds = paramString(spec.tuning.numFolds);
  else params.trainRatio = paramString(spec.tuning.trainRatio);
  for (const [key, value] of Object.entries(spec.params)) params[key] = paramString(value);
  if (spec.scaler) {
    params.withMean = paramString(spec.scaler.withMean);
    params.withStd = paramString(spec.scaler.withStd);
  }
  if (spec.pipeline?.steps.length) params.pipelineSteps = spec.pipeline.steps.map((s) => s.op).join(',');
  return params;
}

export function runName(job: RecordedJob, runId: string): string {
  return `linreg-${job.table}-${runId.slice(0, 6)}`;
}

/** The parent run as it is stored before the engine starts: RUNNING. */
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

const METRIC_KEYS = ['rmse', 'mse', 'mae', 'r2', 'var'] as const;

function metricSet(prefix: string, metrics: Metrics | null, at: number): Record<string, MetricPoint[]> {
  const out: Record<string, MetricPoint[]> = {};
  if (!metrics) return out;
  for (const key of METRIC_KEYS) {
    if (Number.isFinite(metrics[key])) out[`${prefix}${key}`] = [{ value: metrics[key], timestamp: at, step: 0 }];
  }
  return out;
}

/** The grid's parameters, in the order they were added (ParamGridBuilder). */
export function gridAxes(spec: TrainSpec): TunedParam[] {
  return spec.grid.map((axis) => axis.param).filter(isTunedParam);
}

function isTunedParam(name: string): name is TunedParam {
  return name in DEFAULT_PARAMS;
}

/**
 * The parent run after a finished training: `best_<param>` params, the best point's
 * cross-validated metrics (`rmse`, ... averaged over folds), `avg_`/`std_` of the tuning
 * metric, `training_*` (the refitted model on all training rows) and `test_*` metrics.
 */
export function finishedParent(run: Run, result: TrainResult, spec: TrainSpec, now = Date.now()): Run {
  const best = result.grid[result.bestIndex];
  const params = { ...run.params };
  for (const axis of gridAxes(spec)) params[`best_${axis}`] = paramString(result.bestParams[axis]);
  const metrics: Record<string, MetricPoint[]> = {
    ...run.metrics,
    ...metricSet('', result.validationMetrics, now),
    ...metricSet('training_', result.trainMetrics, now),
    ...metricSet('test_', result.testMetrics, now),
    [`avg_${result.metric}`]: [{ value: best.avgMetric, timestamp: now, step: 0 }],
    [`std_${result.metric}`]: [{ value: best.stdMetric, timestamp: now, step: 0 }],
    training_rows: [{ value: result.rows.train, timestamp: now, step: 0 }],
    training_time_ms: [{ value: result.elapsedMs, timestamp: now, step: 0 }],
  };
  return { ...run, status: 'FINISHED', endTime: now, params, metrics };
}

/** One child run per grid point, as MLflow's autologging nests them under the parent. */
export function childRuns(parent: Run, result: TrainResult, now = Date.now()): Run[] {
  return result.grid.map((point, i) => {
    const runId = newRunId();
    const name = `${parent.runName}-${i + 1}`;
    const params: Record<string, string> = {};
    for (const key of ['regParam', 'elasticNetParam', 'fitIntercept', 'standardization', 'maxIter', 'tol']) {
      const value = point.params[key] ?? parent.params[key];
      if (value !== undefined) params[key] = typeof value === 'string' ? value : paramString(value);
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
        [`avg_${result.metric}`]: [{ value: point.avgMetric, timestamp: now, step: 0 }],
        [`std_${result.metric}`]: [{ value: point.stdMetric, timestamp: now, step: 0 }],
        [`fold_${result.metric}`]: point.foldMetrics.map((value, fold) => ({ value, timestamp: now, step: fold })),
      },
      tags: { [TAG_RUN_NAME]: name, [TAG_PARENT_RUN_ID]: parent.runId, [TAG_SOURCE_TYPE]: 'LOCAL', [TAG_SOURCE_NAME]: 'brasa' },
      inputs: [],
      artifacts: [],
    };
  });
}

/** `best_parameters.json`: the winning grid point's values of the tuned params. */
export function bestParameters(result: TrainResult, spec: TrainSpec): Record<string, number | boolean> {
  const out: Record<string, number | boolean> = {};
  for (const axis of gridAxes(spec)) out[axis] = result.bestParams[axis];
  return out;
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
  const rows = result.grid.map((point, i) => [
    ...axes.map((a) => String(point.params[a])),
    String(point.avgMetric),
    String(point.stdMetric),
    ...Array.from({ length: folds }, (_, k) => (point.foldMetrics[k] === undefined ? '' : String(point.foldMetrics[k]))),
    i === result.bestIndex ? 'true' : 'false',
  ]);
  return [header, ...rows].map((r) => r.join(',')).join('\n') + '\n';
}

/** `model/model.json`: what scoring needs, as `Scoring` minus the handling of bad rows. */
export interface LoggedModel {
  flavor: 'brasa.linear_regression';
  features: string[];
  label: string;
  /** The training table's schema for the columns the model (and its pipeline) read. */
  inputSchema: { name: string; type: string }[];
  handleInvalid: TrainSpec['handleInvalid'];
  model: TrainResult['model'];
  bestParams: LinearRegressionParams;
}
