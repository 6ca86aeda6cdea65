// The engine↔page contract, generated from the engine's Rust types (crate/src/api.rs).
// Do not edit: run `npm run contract`.
import type { LinearRegressionParams } from './LinearRegressionParams';

/** The cleaning-pipeline format version this engine writes and reads. */
export const PIPELINE_VERSION = 1;

/** Spark's LinearRegression defaults. */
export const LINEAR_REGRESSION_DEFAULTS: LinearRegressionParams = {"elasticNetParam":0.0,"fitIntercept":true,"maxIter":100,"regParam":0.0,"standardization":true,"tol":1e-6};
