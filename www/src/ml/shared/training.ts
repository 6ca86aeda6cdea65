/**
 * Training settings and results as the engine speaks them (`crate/src/ml/tuning.rs`):
 * Spark MLlib's parameter names and defaults.
 */

export type HandleInvalid = 'error' | 'skip' | 'keep';
export type MetricName = 'rmse' | 'mse' | 'r2' | 'mae' | 'var';

export interface LinearRegressionParams {
  regParam: number;
  elasticNetParam: number;
  fitIntercept: boolean;
  standardization: boolean;
  maxIter: number;
  tol: number;
}

export interface GridAxis {
  param: keyof LinearRegressionParams;
  values: (number | boolean)[];
}

export type Tuning =
  | { kind: 'crossValidator'; numFolds: number }
  | { kind: 'trainValidationSplit'; trainRatio: number };

export interface TrainSpec {
  features: string[];
  label: string;
  handleInvalid: HandleInvalid;
  params: LinearRegressionParams;
  grid: GridAxis[];
  tuning: Tuning;
  metric: MetricName;
  testFraction: number;
  seed: number;
}

export interface Metrics {
  rmse: number;
  mse: number;
  r2: number;
  mae: number;
  var: number;
  rows: number;
}

export interface GridPointResult {
  params: Record<string, number | boolean>;
  avgMetric: number;
  stdMetric: number;
  foldMetrics: number[];
}

export interface TrainResult {
  features: string[];
  label: string;
  metric: MetricName;
  grid: GridPointResult[];
  bestIndex: number;
  bestParams: LinearRegressionParams;
  model: { coefficients: number[]; intercept: number };
  trainMetrics: Metrics;
  validationMetrics: Metrics;
  testMetrics: Metrics | null;
  rows: { total: number; skipped: number; train: number; test: number };
  elapsedMs: number;
}

/** Spark's LinearRegression defaults. */
export const DEFAULT_PARAMS: LinearRegressionParams = {
  regParam: 0,
  elasticNetParam: 0,
  fitIntercept: true,
  standardization: true,
  maxIter: 100,
  tol: 1e-6,
};

/** What `predict` needs: the model and the columns it reads. */
export interface Scoring {
  features: string[];
  coefficients: number[];
  intercept: number;
  handleInvalid: HandleInvalid;
}
