/**
 * `model/model.json`, the model a training logs (MLflow's `model/` directory): one format
 * for every estimator, with everything scoring needs and what the registry shows.
 *
 * Runs recorded before Brasa had more than one estimator logged another shape (flavor
 * `brasa.linear_regression`, the linear model's fields at `model`, LinearRegression's
 * params at `bestParams`). `readLoggedModel` is the one place that reads a `model.json`,
 * and it reads both, so the registry, Predict and the exports never see the old shape.
 */
import type { PipelineSpec } from '../../clean/shared/pipeline';
import {
  type EstimatorSpec,
  type HandleInvalid,
  type LinearRegressionParams,
  type Scoring,
  type TaskKind,
  type TrainedModel,
  type TrainSpec,
  LINEAR_REGRESSION_DEFAULTS,
} from '../../contract';
import { modelClasses, type TrainResult } from '../../ml/shared/training';
import { tunedEstimatorName } from './recorded-job';

/** The flavor every model logged since estimators came is written with. */
export const MODEL_FLAVOR = 'brasa';
/** Bumped when the format changes; a newer one is refused with a message. */
export const MODEL_FORMAT_VERSION = 1;
/** The flavor of the models LinearRegression-only Brasa logged. */
const LEGACY_LINEAR_FLAVOR = 'brasa.linear_regression';

/** A column a model reads, with the type it had in training (Spark SQL's names). */
export interface InputColumn {
  name: string;
  type: string;
}

export interface LoggedModel {
  flavor: typeof MODEL_FLAVOR;
  formatVersion: number;
  /** What the tuner tuned, in Spark's words: `LogisticRegression`, `Pipeline(StandardScaler, KMeans)`. */
  estimator: string;
  task: TaskKind;
  /** The assembled feature columns, in order. */
  features: string[];
  /** The label column (none for clustering). */
  label: string | null;
  /** A classifier's class names in index order (IndexToString's labels); empty otherwise. */
  labels: string[];
  /** The training table's columns that scoring reads (the pipeline's inputs and the raw features). */
  inputSchema: InputColumn[];
  handleInvalid: HandleInvalid;
  /** The best point refitted on all training rows (with its StandardScaler, if any). */
  model: TrainedModel;
  /** The estimator with the best point's params. */
  bestParams: EstimatorSpec;
  /**
   * The columns each cleaning step's output had in training, with their types (one list
   * per step of the pipeline, as the engine reported them): the Spark export takes the
   * type of a withColumn result from them. Absent from models logged before Brasa
   * recorded them, and from imported ones.
   */
  stepColumns?: InputColumn[][];
}

/** The model a finished training logs; `stepColumns` when the recorder has them. */
export function loggedModel(result: TrainResult, spec: TrainSpec, inputSchema: InputColumn[], stepColumns?: InputColumn[][]): LoggedModel {
  return {
    flavor: MODEL_FLAVOR,
    formatVersion: MODEL_FORMAT_VERSION,
    estimator: tunedEstimatorName(spec),
    task: result.task,
    features: result.features,
    label: result.label ?? null,
    labels: result.labels,
    inputSchema,
    handleInvalid: spec.handleInvalid,
    model: result.model,
    bestParams: result.bestParams,
    ...(stepColumns ? { stepColumns } : {}),
  };
}

/** What LinearRegression-only Brasa wrote. */
interface LegacyLinearModel {
  flavor: typeof LEGACY_LINEAR_FLAVOR;
  features: string[];
  label: string;
  inputSchema: InputColumn[];
  handleInvalid: HandleInvalid;
  model: { scaler?: Extract<TrainedModel, { kind: 'linearRegression' }>['scaler']; coefficients: number[]; intercept: number };
  bestParams: LinearRegressionParams;
}

/**
 * A parsed `model/model.json` in the current format, whichever Brasa logged it; anything
 * else is refused with what it is.
 */
export function readLoggedModel(json: unknown): LoggedModel {
  const data = json as { flavor?: unknown; formatVersion?: unknown } | null;
  if (!data || typeof data !== 'object') throw new Error('model.json does not hold a model.');
  if (data.flavor === LEGACY_LINEAR_FLAVOR) return fromLegacyLinear(data as LegacyLinearModel);
  if (data.flavor !== MODEL_FLAVOR) throw new Error(`model.json has flavor ${JSON.stringify(data.flavor)}, which this page cannot load.`);
  if (typeof data.formatVersion !== 'number' || data.formatVersion > MODEL_FORMAT_VERSION) {
    throw new Error(`model.json has format version ${String(data.formatVersion)}; this page reads version ${MODEL_FORMAT_VERSION} and older. Use a newer Brasa.`);
  }
  return data as LoggedModel;
}

function fromLegacyLinear(old: LegacyLinearModel): LoggedModel {
  const { scaler, coefficients, intercept } = old.model;
  return {
    flavor: MODEL_FLAVOR,
    formatVersion: MODEL_FORMAT_VERSION,
    estimator: scaler ? 'Pipeline(StandardScaler, LinearRegression)' : 'LinearRegression',
    task: 'regression',
    features: old.features,
    label: old.label,
    labels: [],
    inputSchema: old.inputSchema,
    handleInvalid: old.handleInvalid,
    model: { kind: 'linearRegression', ...(scaler ? { scaler } : {}), model: { coefficients, intercept } },
    bestParams: { estimator: 'linearRegression', params: { ...LINEAR_REGRESSION_DEFAULTS, ...old.bestParams } },
  };
}

/** What the engine scores a table with: the model, its fitted pipeline, and how to treat bad rows. */
export function scoringOf(model: LoggedModel, pipeline: PipelineSpec | undefined, handleInvalid?: HandleInvalid): Scoring {
  return {
    features: model.features,
    model: model.model,
    labels: model.labels,
    handleInvalid: handleInvalid ?? model.handleInvalid,
    pipeline,
  };
}

/** One line about a model for lists: `LogisticRegression · 2 classes (no, yes) · 3 features`. */
export function describeModel(model: LoggedModel): string {
  const parts = [model.estimator];
  const trained = model.model;
  const classes = modelClasses(trained);
  if (classes > 0) {
    parts.push(`${classes} classes${model.labels.length ? ` (${model.labels.join(', ')})` : ''}`);
  } else if (trained.kind === 'kMeans') {
    parts.push(`${trained.model.clusterCenters.length} clusters`);
  }
  parts.push(`${model.features.length} feature${model.features.length === 1 ? '' : 's'}`);
  if (model.label) parts.push(`label ${model.label}`);
  return parts.join(' · ');
}
