/**
 * Training settings and results as the engine speaks them (`crate/src/ml`, generated into
 * `../../contract`): Spark MLlib's parameter names and defaults.
 */
import type { Timed } from '../../engine/shared/api';
import type { LinearRegressionParams, TrainResult as EngineTrainResult } from '../../contract';

export { LINEAR_REGRESSION_DEFAULTS as DEFAULT_PARAMS } from '../../contract';

/** A training's result as the page keeps it: the engine's, with how long it took. */
export type TrainResult = Timed<EngineTrainResult>;

/** A LinearRegression parameter that a grid can tune. */
export type TunedParam = keyof LinearRegressionParams;

export type {
  Diagnostics,
  GridAxis,
  GridPointResult,
  HandleInvalid,
  LinearRegressionParams,
  Metric as MetricName,
  Metrics,
  RegressionModel,
  ResidualHistogram as Histogram,
  Scoring,
  StandardScalerModel,
  StandardScalerParams,
  TrainSpec,
  Tuning,
} from '../../contract';
