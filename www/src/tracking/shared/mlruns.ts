/**
 * A snapshot as MLflow 3.x's file store (`mlruns/`), the layout MLflow itself writes and
 * reads with `MLFLOW_ALLOW_FILE_STORE=true` (and converts with `mlflow migrate-filestore`):
 *
 * ```
 * mlruns/<exp_id>/meta.yaml
 * mlruns/<exp_id>/<run_id>/meta.yaml, params/<key>, metrics/<key>, tags/<key>, artifacts/...
 * mlruns/<exp_id>/<run_id>/inputs/<input_id>/meta.yaml → mlruns/<exp_id>/datasets/<id>/meta.yaml
 * mlruns/models/<name>/meta.yaml, aliases/<alias>, tags/<key>, version-<n>/meta.yaml, version-<n>/tags/<key>
 * ```
 *
 * With `writeData` (the engine's Spark stage writer), each run's logged model is written as
 * an MLflow model in `artifacts/model/` (MLmodel, environment, `sparkml/`), so
 * `runs:/<run_id>/model` and `models:/<name>@<alias>` load with `mlflow.pyfunc`; a model
 * Spark's format cannot express keeps only Brasa's files, and `onModelError` hears why.
 *
 * Metric files hold `<timestamp_ms> <value> <step>` lines (the whole history). Artifact
 * locations are relative (`mlruns/<exp>/<run>/artifacts`): MLflow resolves them from the
 * directory that holds `mlruns/`, so run it from there.
 */
import { MODEL_DIR, type DatasetInput, type Run, type RunStatus } from './model';
import { hasLoggedModel, runMlflowModelFiles } from './run-mlflow-model';
import type { Snapshot } from './snapshot';
import type { StageDataWriter } from './spark-pipeline-files';

/** MLflow's RunStatus enum values. */
const STATUS_CODES: Record<RunStatus, number> = { RUNNING: 1, FINISHED: 3, FAILED: 4, KILLED: 5 };
/** MLflow's SourceType.LOCAL. */
const SOURCE_LOCAL = 4;

type Yaml = string | number | null | Yaml[] | { [key: string]: Yaml };

/** Block YAML for flat maps (and one level of nested maps); strings JSON-quoted (valid YAML). */
function yaml(map: Record<string, Yaml>): string {
  const scalar = (v: Yaml): string => (v === null ? 'null' : typeof v === 'number' ? String(v) : JSON.stringify(v));
  const lines: string[] = [];
  for (const key of Object.keys(map).sort()) {
    const value = map[key];
    if (Array.isArray(value)) lines.push(value.length === 0 ? `${key}: []` : `${key}:\n${value.map((v) => `- ${scalar(v)}`).join('\n')}`);
    else if (value && typeof value === 'object') {
      const entries = Object.entries(value);
      lines.push(entries.length === 0 ? `${key}: {}` : `${key}:\n${entries.map(([k, v]) => `  ${JSON.stringify(k)}: ${scalar(v)}`).join('\n')}`);
    } else lines.push(`${key}: ${scalar(value)}`);
  }
  return `${lines.join('\n')}\n`;
}

const encoder = new TextEncoder();

/** Keys become file names: MLflow allows `/` in keys (sub-directories) but not `..`. */
function safeKey(key: string): string {
  if (!key || key.split('/').some((part) => part === '' || part === '.' || part === '..')) {
    throw new Error(`"${key}" cannot be written as an MLflow file name.`);
  }
  return key;
}

async function hexId(...parts: string[]): Promise<string> {
  const hash = await crypto.subtle.digest('SHA-256', encoder.encode(parts.join('\u0000')));
  return [...new Uint8Array(hash)].slice(0, 16).map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Spark SQL type → MLflow column-spec type. */
function colspecType(type: string): string {
  if (type === 'int' || type === 'smallint' || type === 'tinyint') return 'integer';
  if (type === 'bigint') return 'long';
  if (type === 'float') return 'float';
  if (type === 'double' || type.startsWith('decimal')) return 'double';
  if (type === 'boolean') return 'boolean';
  if (type === 'date' || type.startsWith('timestamp')) return 'datetime';
  return 'string';
}

/** A file-read dataset's file, format and reader options, as its source JSON holds them. */
function fileFields(input: DatasetInput): Record<string, unknown> {
  if (input.file === undefined) return {};
  return {
    file: input.file,
    ...(input.format ? { format: input.format } : {}),
    ...(input.compression ? { compression: input.compression } : {}),
    ...(input.readerOptions ? { reader_options: input.readerOptions } : {}),
  };
}

function datasetMeta(input: DatasetInput): string {
  return yaml({
    digest: input.digest || 'unknown',
    name: input.name,
    profile: JSON.stringify({ num_rows: input.rows }),
    schema: JSON.stringify({ mlflow_colspec: input.schema.map((c) => ({ type: colspecType(c.type), name: c.name, required: !c.nullable })) }),
    // MLflow keeps a dataset's source as JSON of its source type's fields; Brasa's names
    // the table and, for the training rows, how they were made from it.
    source: JSON.stringify({
      table: input.source,
      ...(input.transform ? { transform: input.transform } : {}),
      ...fileFields(input),
    }),
    source_type: input.sourceType === 'file' ? 'local' : 'code',
  });
}

function runMeta(run: Run): string {
  return yaml({
    artifact_uri: `mlruns/${run.experimentId}/${run.runId}/artifacts`,
    end_time: run.endTime,
    entry_point_name: '',
    experiment_id: run.experimentId,
    lifecycle_stage: run.lifecycleStage,
    run_id: run.runId,
    run_name: run.runName,
    source_name: '',
    source_type: SOURCE_LOCAL,
    source_version: '',
    start_time: run.startTime,
    status: STATUS_CODES[run.status],
    tags: [],
    user_id: 'brasa',
  });
}

export interface MlrunsOptions {
  /** Writes a Spark stage's data file (the engine's `sparkStageData`); without it, no MLflow models. */
  writeData?: StageDataWriter;
  /** Told of each run whose model could not be written as an MLflow model, and why. */
  onModelError?: (run: Run, error: Error) => void;
}

/** Every file of the `mlruns/` tree, path → bytes (ready for a zip); paths ending in `/` are directories. */
export async function mlrunsFiles(snapshot: Snapshot, options: MlrunsOptions = {}): Promise<Record<string, Uint8Array>> {
  const files: Record<string, Uint8Array> = {};
  const put = (path: string, text: string | Uint8Array) => {
    files[`mlruns/${path}`] = typeof text === 'string' ? encoder.encode(text) : text;
  };
  for (const e of snapshot.experiments) {
    put(`${e.experimentId}/meta.yaml`, yaml({
      artifact_location: `mlruns/${e.experimentId}`,
      creation_time: e.creationTime,
      experiment_id: e.experimentId,
      last_update_time: e.lastUpdateTime,
      lifecycle_stage: e.lifecycleStage,
      name: e.name,
    }));
    for (const [key, value] of Object.entries(e.tags)) put(`${e.experimentId}/tags/${safeKey(key)}`, value);
  }
  for (const run of snapshot.runs) {
    const dir = `${run.experimentId}/${run.runId}`;
    put(`${dir}/meta.yaml`, runMeta(run));
    // MLflow only recognises a run directory that has these, even empty.
    for (const sub of ['metrics', 'params', 'tags', 'artifacts']) put(`${dir}/${sub}/`, new Uint8Array());
    for (const [key, value] of Object.entries(run.params)) put(`${dir}/params/${safeKey(key)}`, value);
    for (const [key, value] of Object.entries(run.tags)) put(`${dir}/tags/${safeKey(key)}`, value);
    for (const [key, history] of Object.entries(run.metrics)) {
      put(`${dir}/metrics/${safeKey(key)}`, history.map((p) => `${p.timestamp} ${p.value} ${p.step}\n`).join(''));
    }
    for (const input of run.inputs) {
      const datasetId = await hexId(input.name, input.digest);
      const inputId = await hexId(datasetId, run.runId);
      put(`${run.experimentId}/datasets/${datasetId}/meta.yaml`, datasetMeta(input));
      put(`${dir}/inputs/${inputId}/meta.yaml`, yaml({
        destination_id: run.runId,
        destination_type: 'RUN',
        source_id: datasetId,
        source_type: 'DATASET',
        tags: { 'mlflow.data.context': input.context },
      }));
    }
  }
  const experimentOf = new Map(snapshot.runs.map((r) => [r.runId, r.experimentId]));
  for (const artifact of snapshot.artifacts) {
    const experimentId = experimentOf.get(artifact.runId);
    if (experimentId !== undefined) put(`${experimentId}/${artifact.runId}/artifacts/${safeKey(artifact.path)}`, artifact.bytes);
  }
  if (options.writeData) {
    for (const run of snapshot.runs.filter(hasLoggedModel)) {
      const own = new Map(snapshot.artifacts.filter((a) => a.runId === run.runId).map((a) => [a.path, a.bytes]));
      try {
        const model = await runMlflowModelFiles(run, async (path) => own.get(path), options.writeData);
        for (const [path, bytes] of Object.entries(model)) put(`${run.experimentId}/${run.runId}/artifacts/${MODEL_DIR}/${path}`, bytes);
      } catch (error) {
        options.onModelError?.(run, error as Error);
      }
    }
  }
  for (const model of snapshot.registeredModels) {
    const dir = `models/${safeKey(model.name)}`;
    put(`${dir}/meta.yaml`, yaml({
      aliases: Object.fromEntries(Object.entries(model.aliases).map(([a, v]) => [a, String(v)])),
      creation_timestamp: model.creationTimestamp,
      description: model.description,
      last_updated_timestamp: model.lastUpdatedTimestamp,
      name: model.name,
    }));
    for (const [alias, version] of Object.entries(model.aliases)) put(`${dir}/aliases/${safeKey(alias)}`, String(version));
    for (const [key, value] of Object.entries(model.tags)) put(`${dir}/tags/${safeKey(key)}`, value);
  }
  for (const v of snapshot.modelVersions) {
    const dir = `models/${safeKey(v.name)}/version-${v.version}`;
    put(`${dir}/meta.yaml`, yaml({
      creation_timestamp: v.creationTimestamp,
      current_stage: 'None',
      description: v.description,
      last_updated_timestamp: v.lastUpdatedTimestamp,
      name: v.name,
      run_id: v.runId,
      run_link: null,
      source: v.source,
      status: 'READY',
      status_message: null,
      storage_location: v.source,
      user_id: null,
      version: v.version,
    }));
    for (const [key, value] of Object.entries(v.tags)) put(`${dir}/tags/${safeKey(key)}`, value);
  }
  return files;
}
