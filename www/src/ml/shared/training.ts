/**
 * Training settings and results as the engine speaks them (`crate/src/ml/tuning.rs`):
 * Spark MLlib's parameter names and defaults.
 */

import type { PipelineSpec } from '../../clean/shared/pipeline';

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

/** StandardScaler's params (Spark's defaults: withMean false, withStd true). */
export interface StandardScalerParams {
  withMean: boolean;
  withStd: boolean;
}

/** A fitted StandardScaler: the training rows' means and sample standard deviations. */
export interface StandardScalerModel extends StandardScalerParams {
  mean: number[];
  std: number[];
}

/** Scaler (optional) then LinearRegression; coefficients apply to the scaled features. */
export interface RegressionModel {
  scaler?: StandardScalerModel;
  coefficients: number[];
  intercept: number;
}

export interface Histogram {
  start: number;
  width: number;
  counts: number[];
  below: number;
  above: number;
}

/** What the charts show, on the test rows when there are any, else the training rows. */
export interface Diagnostics {
  rows: 'train' | 'test';
  actual: number[];
  predicted: number[];
  residuals: Histogram;
}

export interface TrainSpec {
  features: string[];
  label: string;
  handleInvalid: HandleInvalid;
  scaler: StandardScalerParams | null;
  params: LinearRegressionParams;
  grid: GridAxis[];
  tuning: Tuning;
  metric: MetricName;
  testFraction: number;
  seed: number;
  /**
   * Cleaning steps applied to the table before the features are assembled; fitted on the
   * whole table (not per fold), as when a DataFrame is cleaned before CrossValidator.
   */
  pipeline?: PipelineSpec;
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
  model: RegressionModel;
  trainMetrics: Metrics;
  validationMetrics: Metrics;
  testMetrics: Metrics | null;
  rows: { total: number; skipped: number; train: number; test: number };
  diagnostics: Diagnostics;
  /** The cleaning pipeline as fitted on the training table (a `PipelineModel`). */
  pipeline?: PipelineSpec;
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
export interface Scoring extends RegressionModel {
  features: string[];
  handleInvalid: HandleInvalid;
  /** A fitted cleaning pipeline applied to the table before scoring (transform only). */
  pipeline?: PipelineSpec;
}
