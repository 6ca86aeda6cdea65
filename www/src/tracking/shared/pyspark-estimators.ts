/**
 * Each Brasa estimator and evaluator as `pyspark.ml` code: the import, the constructor
 * with the job's params (Spark's names), which params are doubles, what of the fitted
 * model the script reports, and the evaluator Spark's tuner ranks the grid with.
 */
import type { EstimatorName, MetricName, TrainSpec } from '../../ml/shared/training';
import { estimatorInfo, metricInfo } from '../../ml/shared/training';
import type { EstimatorSpec } from '../../contract';
import { kwargs, py } from './python-literal';
import type { SparkParam } from './spark-params';

/** The columns the estimator and the evaluator read, as Python expressions. */
export interface ScriptColumns {
  /** The assembled (or scaled) features: `"features"`, `"scaledFeatures"`. */
  features: string;
  /** The label (`label` or the indexed label column), when there is one. */
  label?: string;
  /** The instance weights (`weight`), when the job has a weightCol. */
  weight?: string;
  /** GBT's validation indicator (`validation`), when the job has a validationIndicatorCol. */
  validation?: string;
}

interface SparkEstimator {
  importLine: string;
  /** The Python variable the estimator is bound to: ParamGridBuilder names its params. */
  variable: string;
  /** What of the best model `BRASA_RESULT` reports, a dict expression over `fitted`. */
  summary: string;
}

const SPARK: Record<EstimatorName, SparkEstimator> = {
  linearRegression: {
    importLine: 'from pyspark.ml.regression import LinearRegression',
    variable: 'lr',
    summary: '{"coefficients": fitted.coefficients.toArray().tolist(), "intercept": fitted.intercept}',
  },
  logisticRegression: {
    importLine: 'from pyspark.ml.classification import LogisticRegression',
    variable: 'logreg',
    summary: '{"numClasses": fitted.numClasses, "coefficientMatrix": fitted.coefficientMatrix.toArray().tolist(), "interceptVector": fitted.interceptVector.toArray().tolist()}',
  },
  kMeans: {
    importLine: 'from pyspark.ml.clustering import KMeans',
    variable: 'kmeans',
    summary: '{"clusterCenters": [c.tolist() for c in fitted.clusterCenters()], "trainingCost": fitted.summary.trainingCost}',
  },
  decisionTreeClassifier: treeLearner('classification', 'DecisionTreeClassifier', 'dtc'),
  decisionTreeRegressor: treeLearner('regression', 'DecisionTreeRegressor', 'dtr'),
  randomForestClassifier: treeLearner('classification', 'RandomForestClassifier', 'rfc'),
  randomForestRegressor: treeLearner('regression', 'RandomForestRegressor', 'rfr'),
  gbtClassifier: treeLearner('classification', 'GBTClassifier', 'gbtc'),
  gbtRegressor: treeLearner('regression', 'GBTRegressor', 'gbtr'),
};

/** A tree learner: the script reports its feature importances and `toDebugString`. */
function treeLearner(module: 'classification' | 'regression', sparkName: string, variable: string): SparkEstimator {
  return {
    importLine: `from pyspark.ml.${module} import ${sparkName}`,
    variable,
    summary: '{"featureImportances": fitted.featureImportances.toArray().tolist(), "toDebugString": fitted.toDebugString}',
  };
}

export function estimatorImport(spec: TrainSpec): string {
  return SPARK[spec.estimator].importLine;
}

export function estimatorVariable(spec: TrainSpec): string {
  return SPARK[spec.estimator].variable;
}

export function modelSummary(spec: TrainSpec): string {
  return SPARK[spec.estimator].summary;
}

/** Whether a param of the estimator is a double in Spark (`0` is written `0.0`). */
export function isFloatParam(spec: Pick<EstimatorSpec, 'estimator'>, param: string): boolean {
  return estimatorInfo(spec.estimator).params.some((p) => p.name === param && (p.kind === 'number' || p.kind === 'numbers'));
}

/**
 * The estimator's params as Spark sets them, in the order the Train tab lists them
 * (Spark's docs' order), then any others. LogisticRegression's `thresholds`, when set,
 * replace `threshold` (Spark refuses both unless they agree, and Brasa lets `thresholds`
 * win, as `setThresholds` does).
 */
export function sparkEstimatorParams(spec: Pick<EstimatorSpec, 'estimator' | 'params'>): SparkParam[] {
  const values = spec.params as Record<string, unknown>;
  const listed = estimatorInfo(spec.estimator).params.map((p) => p.name).filter((name) => name in values);
  const others = Object.keys(values).filter((name) => !listed.includes(name));
  const thresholds = Array.isArray(values.thresholds) && values.thresholds.length > 0;
  return [...listed, ...others]
    .map((name) => ({ name, value: values[name], double: isFloatParam(spec, name) }))
    .filter((p) => p.value !== undefined && p.value !== null && !(p.name === 'threshold' && thresholds));
}

/** The estimator's constructor with the job's params. */
export function estimatorCode(spec: TrainSpec, columns: ScriptColumns): string {
  const params = sparkEstimatorParams(spec).map((p): [string, string] => [p.name, py(p.value, p.double)]);
  const args = kwargs([
    ['featuresCol', py(columns.features)],
    ['labelCol', columns.label],
    ['weightCol', columns.weight],
    ['validationIndicatorCol', columns.validation],
    ...params.filter(([name]) => !bySetter(spec, name)),
  ]);
  const setters = params.filter(([name]) => bySetter(spec, name)).map(([name, value]) => `.set${name[0].toUpperCase()}${name.slice(1)}(${value})`);
  return `${SPARK[spec.estimator].variable} = ${estimatorInfo(spec.estimator).sparkName}(${args})${setters.join('')}`;
}

/**
 * Params PySpark's constructor does not take, set by their setter after it: the tree
 * classifiers' `thresholds` (only LogisticRegression's constructor has them).
 */
function bySetter(spec: Pick<EstimatorSpec, 'estimator'>, param: string): boolean {
  return param === 'thresholds' && spec.estimator !== 'logisticRegression';
}

/** ClusteringEvaluator's distance for a KMeans distance (Spark's names). */
function silhouetteDistance(spec: TrainSpec): string {
  return spec.estimator === 'kMeans' && spec.params.distanceMeasure === 'cosine' ? 'cosine' : 'squaredEuclidean';
}

/** The evaluator for a known metric, as the constructor call. */
function evaluatorFor(spec: TrainSpec, metric: MetricName, columns: ScriptColumns): string {
  const evaluator = metricInfo(metric).evaluator;
  const name = py(metric);
  switch (evaluator) {
    case 'RegressionEvaluator':
      return `RegressionEvaluator(${kwargs([['labelCol', columns.label], ['predictionCol', '"prediction"'], ['metricName', name]])})`;
    case 'BinaryClassificationEvaluator':
      return `BinaryClassificationEvaluator(${kwargs([['labelCol', columns.label], ['rawPredictionCol', '"rawPrediction"'], ['metricName', name], ['weightCol', columns.weight]])})`;
    case 'MulticlassClassificationEvaluator':
      return `MulticlassClassificationEvaluator(${kwargs([['labelCol', columns.label], ['predictionCol', '"prediction"'], ['metricName', name], ['weightCol', columns.weight]])})`;
    default:
      // The silhouette of the space the model clustered: the scaled features when scaled.
      return `ClusteringEvaluator(${kwargs([
        ['featuresCol', py(columns.features)],
        ['predictionCol', '"prediction"'],
        ['metricName', name],
        ['distanceMeasure', py(silhouetteDistance(spec))],
        ['weightCol', columns.weight],
      ])})`;
  }
}

/** The evaluator classes a script imports. */
export function evaluatorImports(spec: TrainSpec, metric: MetricName | undefined): string[] {
  if (metric) return [metricInfo(metric).evaluator];
  return estimatorInfo(spec.estimator).task === 'classification'
    ? ['BinaryClassificationEvaluator', 'MulticlassClassificationEvaluator']
    : [metricInfo(defaultMetricOf(spec)).evaluator];
}

function defaultMetricOf(spec: TrainSpec): MetricName {
  return estimatorInfo(spec.estimator).task === 'regression' ? 'rmse' : 'silhouette';
}

/**
 * Lines assigning `evaluator`. Without a metric a classifier gets Spark's default for
 * its number of classes (`areaUnderROC` for two, else `f1`), decided when the script runs
 * from `num_classes`; other tasks have one evaluator and its default metric.
 */
export function evaluatorLines(spec: TrainSpec, metric: MetricName | undefined, columns: ScriptColumns): string[] {
  if (metric) return [`evaluator = ${evaluatorFor(spec, metric, columns)}`];
  if (estimatorInfo(spec.estimator).task !== 'classification') return [`evaluator = ${evaluatorFor(spec, defaultMetricOf(spec), columns)}`];
  return [
    "# No metric was recorded: Spark's default for the classes (areaUnderROC for two, else f1)",
    'if num_classes == 2:',
    `    evaluator = ${evaluatorFor(spec, 'areaUnderROC', columns)}`,
    'else:',
    `    evaluator = ${evaluatorFor(spec, 'f1', columns)}`,
  ];
}
