/**
 * Training settings and results as the engine speaks them (`crate/src/ml`, generated into
 * `../../contract`), and what the page needs to offer every estimator with Spark MLlib's
 * names and defaults: its params (which a grid can tune), its task and its metrics.
 */
import {
  DECISION_TREE_CLASSIFIER_DEFAULTS,
  DECISION_TREE_REGRESSOR_DEFAULTS,
  GBT_CLASSIFIER_DEFAULTS,
  GBT_REGRESSOR_DEFAULTS,
  KMEANS_DEFAULTS,
  LINEAR_REGRESSION_DEFAULTS,
  LOGISTIC_REGRESSION_DEFAULTS,
  METRICS,
  RANDOM_FOREST_CLASSIFIER_DEFAULTS,
  RANDOM_FOREST_REGRESSOR_DEFAULTS,
  type EstimatorSpec,
  type MetricInfo,
  type MetricName,
  type TaskKind,
  type TrainedModel,
  type TrainResult as EngineTrainResult,
  type TrainSpec,
} from '../../contract';
import type { Timed } from '../../engine/shared/api';

export type {
  BinaryEvaluation,
  Diagnostics,
  EstimatorSpec,
  GridAxis,
  GridPointResult,
  HandleInvalid,
  KMeansParams,
  LabelIndexer,
  LinearRegressionParams,
  LogisticRegressionParams,
  MetricInfo,
  MetricName,
  MetricSet,
  ResidualHistogram,
  Scoring,
  TreeSummary,
  StandardScalerParams,
  TaskKind,
  TrainedModel,
  TrainSpec,
  Tuning,
} from '../../contract';
export { METRICS, STANDARD_SCALER_DEFAULTS } from '../../contract';

/** A training's result as the page keeps it: the engine's, with how long it took. */
export type TrainResult = Timed<EngineTrainResult>;

/** The estimator a spec names (`linearRegression`, `logisticRegression`, `kMeans`). */
export type EstimatorName = EstimatorSpec['estimator'];

/** One param of an estimator, as the Train tab offers it. */
export interface ParamInfo {
  /** Spark's name. */
  name: string;
  /** `numbers`: one list of numbers, not a grid (a classifier's `thresholds`); unset when empty. */
  kind: 'number' | 'integer' | 'boolean' | 'choice' | 'numbers';
  /** The values a `choice` param takes. */
  choices?: string[];
  /** A `choice` that also takes other text (the engine checks it): the choices are suggestions. */
  openChoice?: boolean;
  /** Whether a ParamGridBuilder axis may vary it (the Train tab takes a list of values). */
  tunable: boolean;
  /** One line for the form, in Spark's words. */
  doc: string;
  /** Shown folded under "Solver": rarely changed, only about how long the solver runs. */
  solver?: boolean;
}

export interface EstimatorInfo {
  name: EstimatorName;
  /** Spark ML's class name. */
  sparkName: string;
  task: TaskKind;
  /** Spark's defaults (KMeans: Brasa's seed, 42). */
  defaults: EstimatorSpec['params'];
  params: ParamInfo[];
}

const shared = {
  regParam: { name: 'regParam', kind: 'number', tunable: true, doc: 'regularization strength (λ)' },
  elasticNetParam: { name: 'elasticNetParam', kind: 'number', tunable: true, doc: 'mix of L1 and L2: 0 = ridge, 1 = lasso' },
  fitIntercept: { name: 'fitIntercept', kind: 'boolean', tunable: true, doc: 'fit an intercept term' },
  standardization: { name: 'standardization', kind: 'boolean', tunable: true, doc: 'standardize the features inside the objective' },
  maxIter: { name: 'maxIter', kind: 'integer', tunable: true, doc: 'most iterations of the solver', solver: true },
  tol: { name: 'tol', kind: 'number', tunable: true, doc: 'convergence tolerance', solver: true },
  seed: { name: 'seed', kind: 'integer', tunable: false, doc: 'random seed (empty: the job\'s seed)' },
  thresholds: {
    name: 'thresholds',
    kind: 'numbers',
    tunable: false,
    doc: 'one per class, comma-separated: the class with the largest probability / threshold is predicted (empty: the most probable class)',
  },
} as const satisfies Record<string, ParamInfo>;

/** The params every tree learner has (Spark's `DecisionTreeParams`). */
const tree = {
  maxDepth: { name: 'maxDepth', kind: 'integer', tunable: true, doc: 'depth of the deepest leaf (0: the root alone), at most 30' },
  maxBins: { name: 'maxBins', kind: 'integer', tunable: true, doc: 'most bins a continuous feature is cut into; at least the categories of any categorical feature' },
  minInstancesPerNode: { name: 'minInstancesPerNode', kind: 'integer', tunable: true, doc: 'fewest rows each child of a split must have' },
  minInfoGain: { name: 'minInfoGain', kind: 'number', tunable: true, doc: 'least information gain a split must have' },
  minWeightFractionPerNode: { name: 'minWeightFractionPerNode', kind: 'number', tunable: false, doc: 'least fraction of the weight each child must have, in [0, 0.5)' },
  classImpurity: { name: 'impurity', kind: 'choice', choices: ['gini', 'entropy'], tunable: false, doc: 'how a node\'s classes are scored' },
  subsamplingRate: { name: 'subsamplingRate', kind: 'number', tunable: true, doc: 'share of the rows each tree learns from, in (0, 1]' },
  featureSubsetStrategy: {
    name: 'featureSubsetStrategy',
    kind: 'choice',
    choices: ['auto', 'all', 'sqrt', 'log2', 'onethird'],
    openChoice: true,
    tunable: false,
    doc: 'features each node may split on: auto (sqrt for classification, onethird for regression), all, sqrt, log2, onethird, a count n ≥ 1 or a fraction in (0, 1]',
  },
} as const satisfies Record<string, ParamInfo>;

const treeParams = (classifier: boolean): ParamInfo[] => [
  tree.maxDepth,
  tree.maxBins,
  tree.minInstancesPerNode,
  tree.minInfoGain,
  tree.minWeightFractionPerNode,
  ...(classifier ? [tree.classImpurity, shared.thresholds] : []),
];

const forestParams = (classifier: boolean): ParamInfo[] => [
  { name: 'numTrees', kind: 'integer', tunable: true, doc: 'trees in the forest' },
  ...treeParams(classifier),
  tree.featureSubsetStrategy,
  tree.subsamplingRate,
  { name: 'bootstrap', kind: 'boolean', tunable: false, doc: 'draw each tree\'s rows with replacement' },
  shared.seed,
];

const gbtParams = (losses: string[]): ParamInfo[] => [
  { name: 'maxIter', kind: 'integer', tunable: true, doc: 'boosting iterations (trees)' },
  { name: 'stepSize', kind: 'number', tunable: true, doc: 'learning rate, in (0, 1]' },
  ...treeParams(false),
  // GBTClassifier's trees regress (no impurity to choose), but it predicts classes.
  ...(losses.includes('logistic') ? [shared.thresholds] : []),
  { name: 'lossType', kind: 'choice', choices: losses, tunable: false, doc: 'the loss each tree descends' },
  tree.subsamplingRate,
  { ...tree.featureSubsetStrategy, doc: 'features each node may split on: auto (all), all, sqrt, log2, onethird, a count n ≥ 1 or a fraction in (0, 1]' },
  shared.seed,
  { name: 'validationTol', kind: 'number', tunable: false, doc: 'with a validationIndicatorCol: boosting stops once an iteration improves the validation loss by less than validationTol × max(loss, 0.01)' },
];

/** Every estimator the Train tab offers, in the order it offers them. */
export const ESTIMATORS: EstimatorInfo[] = [
  {
    name: 'linearRegression',
    sparkName: 'LinearRegression',
    task: 'regression',
    defaults: LINEAR_REGRESSION_DEFAULTS,
    params: [shared.regParam, shared.elasticNetParam, shared.fitIntercept, shared.standardization, shared.maxIter, shared.tol],
  },
  {
    name: 'logisticRegression',
    sparkName: 'LogisticRegression',
    task: 'classification',
    defaults: LOGISTIC_REGRESSION_DEFAULTS,
    params: [
      shared.regParam,
      shared.elasticNetParam,
      shared.fitIntercept,
      shared.standardization,
      { name: 'family', kind: 'choice', choices: ['auto', 'binomial', 'multinomial'], tunable: false, doc: 'auto: binomial for two classes, else multinomial' },
      { name: 'threshold', kind: 'number', tunable: false, doc: 'probability of class 1 above which a row is predicted 1 (two classes)' },
      shared.thresholds,
      shared.maxIter,
      shared.tol,
    ],
  },
  {
    name: 'kMeans',
    sparkName: 'KMeans',
    task: 'clustering',
    defaults: KMEANS_DEFAULTS,
    params: [
      { name: 'k', kind: 'integer', tunable: true, doc: 'number of clusters' },
      { name: 'initMode', kind: 'choice', choices: ['k-means||', 'random'], tunable: true, doc: 'how the first centres are chosen' },
      { name: 'initSteps', kind: 'integer', tunable: true, doc: 'rounds of k-means|| sampling', solver: true },
      { name: 'distanceMeasure', kind: 'choice', choices: ['euclidean', 'cosine'], tunable: true, doc: 'the distance rows are clustered by' },
      shared.maxIter,
      shared.tol,
      { name: 'seed', kind: 'integer', tunable: false, doc: 'random seed of the initialisation' },
    ],
  },
  {
    name: 'decisionTreeClassifier',
    sparkName: 'DecisionTreeClassifier',
    task: 'classification',
    defaults: DECISION_TREE_CLASSIFIER_DEFAULTS,
    params: treeParams(true),
  },
  {
    name: 'randomForestClassifier',
    sparkName: 'RandomForestClassifier',
    task: 'classification',
    defaults: RANDOM_FOREST_CLASSIFIER_DEFAULTS,
    params: forestParams(true),
  },
  {
    name: 'gbtClassifier',
    sparkName: 'GBTClassifier',
    task: 'classification',
    defaults: GBT_CLASSIFIER_DEFAULTS,
    params: gbtParams(['logistic']),
  },
  {
    name: 'decisionTreeRegressor',
    sparkName: 'DecisionTreeRegressor',
    task: 'regression',
    defaults: DECISION_TREE_REGRESSOR_DEFAULTS,
    params: treeParams(false),
  },
  {
    name: 'randomForestRegressor',
    sparkName: 'RandomForestRegressor',
    task: 'regression',
    defaults: RANDOM_FOREST_REGRESSOR_DEFAULTS,
    params: forestParams(false),
  },
  {
    name: 'gbtRegressor',
    sparkName: 'GBTRegressor',
    task: 'regression',
    defaults: GBT_REGRESSOR_DEFAULTS,
    params: gbtParams(['squared', 'absolute']),
  },
];

/** Whether the estimator reads Spark's `weightCol` (LinearRegression's fits come from unweighted statistics). */
export function takesWeights(name: EstimatorName): boolean {
  return name !== 'linearRegression';
}

/** Whether the estimator takes Spark's `validationIndicatorCol` (GBT's early stopping). */
export function stopsEarly(name: EstimatorName): boolean {
  return name === 'gbtClassifier' || name === 'gbtRegressor';
}

/** Classes of a classifier model, 0 for other models (the engine's `TrainedModel::num_classes`). */
export function modelClasses(model: TrainedModel): number {
  switch (model.kind) {
    case 'logisticRegression':
    case 'decisionTree':
    case 'randomForest':
      return model.model.numClasses;
    case 'gbt':
      return model.model.classifier ? 2 : 0;
    default:
      return 0;
  }
}

/** A classifier's `thresholds`, when set (the engine's `TrainedModel::thresholds`). */
export function modelThresholds(model: TrainedModel): number[] | null {
  switch (model.kind) {
    case 'logisticRegression':
      return model.model.thresholds ?? null;
    case 'decisionTree':
    case 'randomForest':
    case 'gbt':
      return model.thresholds ?? null;
    default:
      return null;
  }
}

export function estimatorInfo(name: EstimatorName): EstimatorInfo {
  const info = ESTIMATORS.find((e) => e.name === name);
  if (!info) throw new Error(`unknown estimator ${name}`);
  return info;
}

/** The metrics the grid can be ranked by for `task` (two classes: the binary ones too). */
export function metricsFor(task: TaskKind, classes: number): MetricInfo[] {
  const evaluators: Record<TaskKind, string[]> = {
    regression: ['RegressionEvaluator'],
    classification: classes > 2 ? ['MulticlassClassificationEvaluator'] : ['BinaryClassificationEvaluator', 'MulticlassClassificationEvaluator'],
    clustering: ['ClusteringEvaluator'],
  };
  return METRICS.filter((m) => evaluators[task].includes(m.evaluator));
}

/** Spark's default metric of the evaluator for `task`. */
export function defaultMetric(task: TaskKind, classes: number): MetricName {
  if (task === 'regression') return 'rmse';
  if (task === 'clustering') return 'silhouette';
  return classes > 2 ? 'f1' : 'areaUnderROC';
}

export function metricInfo(name: MetricName): MetricInfo {
  const info = METRICS.find((m) => m.name === name);
  if (!info) throw new Error(`unknown metric ${name}`);
  return info;
}

/**
 * A recorded spec as this page reads it. Runs recorded before Brasa had more than one
 * estimator hold a LinearRegression spec without `estimator` (its params at `params`):
 * they read as LinearRegression, so Re-run and the exports keep working.
 */
export function readSpec(recorded: unknown): TrainSpec {
  const spec = recorded as Partial<TrainSpec> & { estimator?: EstimatorName; params?: unknown };
  if (spec.estimator !== undefined) return spec as TrainSpec;
  return {
    ...(spec as object),
    estimator: 'linearRegression',
    params: { ...LINEAR_REGRESSION_DEFAULTS, ...(spec.params as object | undefined) },
  } as TrainSpec;
}
