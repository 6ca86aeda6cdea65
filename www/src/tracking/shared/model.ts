/**
 * MLflow's tracking and registry model, as Brasa keeps it in IndexedDB and writes it to
 * files: experiments → runs (params, metrics with history, tags, dataset inputs,
 * artifacts) and registered models → versions → aliases. Names follow MLflow's REST
 * entities so the `mlruns/` export is a plain mapping.
 */

export type RunStatus = 'RUNNING' | 'FINISHED' | 'FAILED' | 'KILLED';
/** MLflow's soft delete: a deleted experiment or run can be restored. */
export type LifecycleStage = 'active' | 'deleted';

/** The experiment every run goes to until the user picks another (MLflow's "Default"). */
export const DEFAULT_EXPERIMENT_ID = '0';
export const DEFAULT_EXPERIMENT_NAME = 'Default';

/** MLflow's system tags. */
export const TAG_RUN_NAME = 'mlflow.runName';
export const TAG_PARENT_RUN_ID = 'mlflow.parentRunId';
export const TAG_NOTE = 'mlflow.note.content';
export const TAG_SOURCE_TYPE = 'mlflow.source.type';
export const TAG_SOURCE_NAME = 'mlflow.source.name';
export const TAG_AUTOLOGGING = 'mlflow.autologging';
/** Brasa's own tags. */
export const TAG_FAILURE = 'brasa.failure';
export const TAG_REPLAY_OF = 'brasa.replayOf';
export const TAG_TABLE = 'brasa.table';

export interface Experiment {
  experimentId: string;
  name: string;
  lifecycleStage: LifecycleStage;
  creationTime: number;
  lastUpdateTime: number;
  tags: Record<string, string>;
}

/** One logged value of a metric (MLflow keeps every one: the metric's history). */
export interface MetricPoint {
  value: number;
  timestamp: number;
  step: number;
}

/**
 * A table a run read, as MLflow's `DatasetInput` (with Brasa's row count). A training
 * logs two (see `datasets.ts`): the table picked (context `source`) and the rows the
 * model was trained on (context `training`); runs recorded before logged only the table,
 * with context `training`.
 */
export interface DatasetInput {
  name: string;
  /** SHA-256 (hex) of the table's content as the engine writes it to CSV; see `digest.ts`. */
  digest: string;
  /** MLflow's `mlflow.data.context` tag: `source`, `training`, ... */
  context: string;
  /** Where it came from: the table's name. */
  source: string;
  sourceType: 'file' | 'table';
  /** How the rows were made from the source (cleaning, skipped and held-out rows), when they were. */
  transform?: string;
  rows: number;
  /** `[{name, type, nullable}]` in Spark SQL type names. */
  schema: { name: string; type: string; nullable: boolean }[];
  /**
   * For a table read from a file: the file's (or folder's) name, its format
   * (`spark.read.<format>`), its compression, and the reader options it was read with,
   * under Spark's names (`spark.read.options(**readerOptions).csv(file)`; a workbook's
   * `sheet` and `header`).
   */
  file?: string;
  format?: string;
  compression?: string;
  readerOptions?: Record<string, string>;
}

/** An artifact's description (its bytes are stored apart, see `ArtifactRecord`). */
export interface ArtifactInfo {
  path: string;
  size: number;
  mimeType: string;
}

export interface Run {
  runId: string;
  experimentId: string;
  runName: string;
  status: RunStatus;
  startTime: number;
  endTime: number | null;
  lifecycleStage: LifecycleStage;
  /** String values, written once (MLflow refuses to change a logged param). */
  params: Record<string, string>;
  /** Every logged value of each metric, in logging order. */
  metrics: Record<string, MetricPoint[]>;
  tags: Record<string, string>;
  inputs: DatasetInput[];
  artifacts: ArtifactInfo[];
}

/** An artifact's bytes, keyed by run and path. */
export interface ArtifactRecord {
  runId: string;
  path: string;
  blob: Blob;
}

export interface RegisteredModel {
  name: string;
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
  description: string;
  tags: Record<string, string>;
  /** Alias → version (MLflow's replacement for stages). */
  aliases: Record<string, number>;
}

export interface ModelVersion {
  name: string;
  version: number;
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
  description: string;
  /** The run whose model this is, and where in its artifacts the model lives. */
  runId: string;
  source: string;
  tags: Record<string, string>;
}

/** The artifact path of the model a training logs (MLflow's `model/` directory). */
export const MODEL_ARTIFACT = 'model/model.json';
/** The fitted cleaning pipeline, when the training had one. */
export const PIPELINE_ARTIFACT = 'model/pipeline.json';
/** A few training rows (MLflow's `input_example.json`, pandas' split orientation), logged since MLflow models came. */
export const INPUT_EXAMPLE_ARTIFACT = 'model/input_example.json';
/** The directory of a run's logged model (MLflow's `runs:/<run_id>/model`). */
export const MODEL_DIR = 'model';
/** The whole recorded job (`TrainSpec` + table), what "Re-run" and the PySpark export read. */
export const JOB_ARTIFACT = 'job.json';

/** MLflow's rule: the latest value is the one with the largest step, then timestamp. */
export function latestMetric(history: MetricPoint[]): MetricPoint | undefined {
  let latest: MetricPoint | undefined;
  for (const point of history) {
    if (!latest || point.step > latest.step || (point.step === latest.step && point.timestamp >= latest.timestamp)) latest = point;
  }
  return latest;
}

/** The latest value of every metric of a run. */
export function latestMetrics(run: Run): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, history] of Object.entries(run.metrics)) {
    const latest = latestMetric(history);
    if (latest) out[key] = latest.value;
  }
  return out;
}

/** A new run id: 32 lowercase hex digits, as MLflow's `uuid4().hex`. */
export function newRunId(): string {
  return crypto.randomUUID().replaceAll('-', '');
}

/** Params are strings in MLflow: booleans as Python prints them, numbers as JavaScript. */
export function paramString(value: unknown): string {
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}
